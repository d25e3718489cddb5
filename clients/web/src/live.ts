// Live updates as the Vue app gets them: graphql-ws (the client urql's and
// Apollo's subscription links use) subscribes to one booking on one server
// instance while the worker accepts it through another. Prints the update
// and how long it took as one JSON object; exits 1 on any error.
//
//   GIGSTA_API_URL       instance A's GraphQL endpoint (the worker acts there)
//   GIGSTA_LIVE_URL      instance B's WebSocket endpoint, ws://.../graphql
//   GIGSTA_CUSTOMER_TOKEN, GIGSTA_WORKER_TOKEN, GIGSTA_BOOKING_ID
//
// Node 20 has WebSocket behind --experimental-websocket (22 on by default).
import { Client, cacheExchange, fetchExchange } from "@urql/core";
import { createClient } from "graphql-ws";
import { print } from "graphql";

import type { BookingUpdatedSubscription } from "./gql/graphql.js";
import { BookingUpdated, PerformBookingAction } from "./operations.js";

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`set ${name}`);
  }
  return value;
}

type Booking = BookingUpdatedSubscription["bookingUpdated"];

async function main(): Promise<void> {
  const bookingId = env("GIGSTA_BOOKING_ID");
  const live = createClient({
    url: env("GIGSTA_LIVE_URL"),
    webSocketImpl: (globalThis as { WebSocket?: unknown }).WebSocket,
    connectionParams: { Authorization: `Bearer ${env("GIGSTA_CUSTOMER_TOKEN")}` },
    retryAttempts: 0,
  });
  const updates = live.iterate<BookingUpdatedSubscription>({
    query: print(BookingUpdated),
    variables: { id: bookingId },
  });
  const next = async (): Promise<Booking> => {
    const step = await updates.next();
    if (step.done) {
      throw new Error("bookingUpdated ended");
    }
    const result = step.value;
    if (result.errors || !result.data) {
      throw new Error(`bookingUpdated: ${JSON.stringify(result.errors)}`);
    }
    return result.data.bookingUpdated;
  };
  // The booking as it is: from here on, no change can be missed.
  const before = await next();

  const asWorker = new Client({
    url: env("GIGSTA_API_URL"),
    exchanges: [cacheExchange, fetchExchange],
    fetchOptions: { headers: { Authorization: `Bearer ${env("GIGSTA_WORKER_TOKEN")}` } },
  });
  const started = Date.now();
  const acted = await asWorker
    .mutation(PerformBookingAction, {
      input: { bookingId, action: "accept", expectedVersion: before.version },
    })
    .toPromise();
  if (acted.error || acted.data?.performBookingAction.errors.length) {
    throw new Error(`accept: ${acted.error?.message ?? JSON.stringify(acted.data)}`);
  }
  const after = await next();
  const ms = Date.now() - started;
  await updates.return?.(undefined);
  await live.dispose();
  console.log(JSON.stringify({ before, after, ms }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
