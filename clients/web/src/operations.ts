// The operations the Vue app sends, as it writes them. graphql-codegen reads
// these strings and types each one from schema.graphql; `graphql()` returns
// the typed document. Ids are opaque strings: never parse or build one.
import { graphql } from "./gql/index.js";

/** What every mutation's payload says went wrong (expected failures are data). */
export const UserErrorFields = graphql(`
  fragment UserErrorFields on UserError {
    field
    code
    message
  }
`);

export const SignUp = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      viewer {
        id
        role
        customer {
          id
        }
        worker {
          id
        }
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const LogIn = graphql(`
  mutation LogIn($input: LogInInput!) {
    logIn(input: $input) {
      token
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const UpdateWorkerProfile = graphql(`
  mutation UpdateWorkerProfile($input: UpdateWorkerProfileInput!) {
    updateWorkerProfile(input: $input) {
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const RequestBooking = graphql(`
  mutation RequestBooking($input: RequestBookingInput!) {
    requestBooking(input: $input) {
      booking {
        id
        status
        version
        timeZone
        scheduledStart
        price {
          total
          currency
        }
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const Bookings = graphql(`
  query Bookings($first: Int, $after: String, $status: BookingStatus) {
    bookings(first: $first, after: $after, status: $status) {
      edges {
        cursor
        node {
          id
          status
          version
          description
          scheduledStart
          timeZone
          customer {
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const Booking = graphql(`
  query Booking($id: ID!) {
    booking(id: $id) {
      id
      status
      version
      availableActions {
        actionName
        buttonLabel
        note
        isCritical
        requiresReason
      }
    }
  }
`);

export const PerformBookingAction = graphql(`
  mutation PerformBookingAction($input: PerformBookingActionInput!) {
    performBookingAction(input: $input) {
      booking {
        id
        status
        version
        history {
          action
          actorRole
          note
          at
        }
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

/** Live: the booking now, then after each change (over WebSocket). */
export const BookingUpdated = graphql(`
  subscription BookingUpdated($id: ID!) {
    bookingUpdated(id: $id) {
      id
      status
      version
      updatedAt
    }
  }
`);
