// The request -> accept flow as the Vue app runs it, with urql against a
// running API: a worker and a customer sign up, the customer requests the
// worker, the worker finds the booking, reads its availableActions and
// accepts it. Prints the outcome as one JSON object; exits 1 on any error.
//
//   GIGSTA_API_URL      the GraphQL endpoint, e.g. http://127.0.0.1:8000/graphql
//   GIGSTA_PAYMENT_METHOD  a Stripe PaymentMethod id for the card hold
//                       (omit when the server has no Stripe configured)
import { Client, cacheExchange, fetchExchange } from "@urql/core";
import type { AnyVariables, OperationResult, TypedDocumentNode } from "@urql/core";

import type { BookingStatus, UserErrorFieldsFragment } from "./gql/graphql.js";
import {
  Booking,
  Bookings,
  LogIn,
  PerformBookingAction,
  RequestBooking,
  SignUp,
  UpdateWorkerProfile,
} from "./operations.js";

const PASSWORD = "a long enough password";

function client(url: string, token?: string): Client {
  return new Client({
    url,
    exchanges: [cacheExchange, fetchExchange],
    fetchOptions: () => (token ? { headers: { Authorization: `Bearer ${token}` } } : {}),
  });
}

/** The data of an operation that must succeed at the GraphQL level. */
function dataOf<Data, Variables extends AnyVariables>(
  what: string,
  result: OperationResult<Data, Variables>,
): Data {
  if (result.error) {
    throw new Error(`${what}: ${result.error.message}`);
  }
  if (!result.data) {
    throw new Error(`${what}: no data`);
  }
  return result.data;
}

/** Fails on the payload's `errors` (expected failures are data). */
function noErrors(what: string, errors: readonly UserErrorFieldsFragment[]): void {
  if (errors.length > 0) {
    throw new Error(`${what}: ${JSON.stringify(errors)}`);
  }
}

async function mutate<Data, Variables extends AnyVariables>(
  api: Client,
  what: string,
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<Data> {
  return dataOf(what, await api.mutation(document, variables).toPromise());
}

async function signUp(url: string, role: "CUSTOMER" | "WORKER", email: string) {
  const payload = (
    await mutate(client(url), "signUp", SignUp, {
      input: { email, password: PASSWORD, name: role.toLowerCase(), role, country: "NZ" },
    })
  ).signUp;
  noErrors("signUp", payload.errors);
  if (!payload.token || !payload.viewer) {
    throw new Error("signUp: no token or viewer");
  }
  return { token: payload.token, viewer: payload.viewer };
}

async function main(): Promise<void> {
  const url = process.env.GIGSTA_API_URL;
  if (!url) {
    throw new Error("set GIGSTA_API_URL to the API's GraphQL endpoint");
  }
  const unique = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

  const workerEmail = `worker-${unique}@example.nz`;
  const worker = await signUp(url, "WORKER", workerEmail);
  const workerId = worker.viewer.worker?.id;
  if (!workerId) {
    throw new Error("signUp: a worker account has no worker profile");
  }
  const profile = (
    await mutate(client(url, worker.token), "updateWorkerProfile", UpdateWorkerProfile, {
      input: { services: ["cleaning"], hourlyRate: 4000 },
    })
  ).updateWorkerProfile;
  noErrors("updateWorkerProfile", profile.errors);

  const customer = await signUp(url, "CUSTOMER", `customer-${unique}@example.nz`);
  const start = new Date(Date.now() + 3 * 24 * 3600 * 1000);
  start.setUTCMinutes(0, 0, 0);
  const end = new Date(start.getTime() + 2 * 3600 * 1000);
  const paymentMethodId = process.env.GIGSTA_PAYMENT_METHOD;
  const requested = (
    await mutate(client(url, customer.token), "requestBooking", RequestBooking, {
      input: {
        workerId,
        service: "cleaning",
        description: "Kitchen and bathroom",
        scheduledStart: start.toISOString(),
        scheduledEnd: end.toISOString(),
        ...(paymentMethodId ? { paymentMethodId } : {}),
      },
    })
  ).requestBooking;
  noErrors("requestBooking", requested.errors);
  if (!requested.booking) {
    throw new Error("requestBooking: no booking");
  }
  const bookingId = requested.booking.id;

  // The worker signs in again, as on another device, and opens the booking
  // from the list of requests.
  const logIn = (
    await mutate(client(url), "logIn", LogIn, {
      input: { email: workerEmail, password: PASSWORD },
    })
  ).logIn;
  noErrors("logIn", logIn.errors);
  if (!logIn.token) {
    throw new Error("logIn: no token");
  }
  const asWorker = client(url, logIn.token);
  const requestedStatus: BookingStatus = "REQUESTED";
  const list = dataOf(
    "bookings",
    await asWorker.query(Bookings, { first: 10, status: requestedStatus }).toPromise(),
  ).bookings;
  // A list is null when its cursor was refused (the error names it).
  if (!list) {
    throw new Error("bookings: the list was not returned");
  }
  const listed = list.edges.find((edge) => edge.node.id === bookingId);
  if (!listed) {
    throw new Error(`bookings: ${bookingId} is not among the worker's requests`);
  }

  const booking = dataOf(
    "booking",
    await asWorker.query(Booking, { id: listed.node.id }).toPromise(),
  ).booking;
  if (!booking) {
    throw new Error(`booking: ${bookingId} is not visible to its worker`);
  }
  const accept = booking.availableActions.find((action) => action.actionName === "accept");
  if (!accept) {
    throw new Error(
      `booking: no accept among ${booking.availableActions.map((a) => a.actionName)}`,
    );
  }

  const performed = (
    await mutate(asWorker, "performBookingAction", PerformBookingAction, {
      input: {
        bookingId: booking.id,
        action: accept.actionName,
        expectedVersion: booking.version,
      },
    })
  ).performBookingAction;
  noErrors("performBookingAction", performed.errors);
  if (!performed.booking) {
    throw new Error("performBookingAction: no booking");
  }
  const accepted: BookingStatus = "ACCEPTED";
  if (performed.booking.status !== accepted) {
    throw new Error(`performBookingAction: status is ${performed.booking.status}`);
  }

  console.log(
    JSON.stringify({
      bookingId: performed.booking.id,
      status: performed.booking.status,
      version: performed.booking.version,
      offered: booking.availableActions.map((action) => action.actionName),
      acceptButton: accept.buttonLabel,
      lastEvent: performed.booking.history.at(-1)?.action ?? null,
      price: requested.booking.price,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
