/** What the billing pages need from the server beyond tRPC: the sandbox processor's test cards. */
import { testCards } from "../../server/payment-sandbox/cards";

/** The sandbox's documented test cards (shown on the card page when payments go to the sandbox). */
export const sandboxTestCards = () => testCards.map((c) => ({ number: c.number, description: c.description }));
