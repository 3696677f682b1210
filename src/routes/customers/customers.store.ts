import { insertStatements } from "../../db/insert-statement";
import { customerPhones, customers } from "../../db/schema";
import { GroupCommit, type KeepAlive } from "../../db/group-commit";
import type { ResolvedPhone } from "../../domain/phone-numbers";
import { type CustomerRow, phoneRows } from "./customers.records";

interface NewCustomer {
  customer: CustomerRow;
  phones: ReturnType<typeof phoneRows>;
}

const groups = new WeakMap<D1Database, GroupCommit<NewCustomer>>();

/**
 * Stores a new customer with their phones, all or nothing. Customers created at the same moment
 * are stored together (see group-commit.ts): one D1 round trip, and one multi-row INSERT per
 * table rather than two statements per customer.
 */
export function storeNewCustomer(d1: D1Database, customer: CustomerRow, phones: ResolvedPhone[], keepAlive: KeepAlive): Promise<void> {
  let group = groups.get(d1);
  if (!group) {
    group = new GroupCommit<NewCustomer>((batch) =>
      d1.batch([
        ...insertStatements(
          d1,
          customers,
          batch.map((entry) => entry.customer),
        ),
        ...insertStatements(
          d1,
          customerPhones,
          batch.flatMap((entry) => entry.phones),
        ),
      ]),
    );
    groups.set(d1, group);
  }
  return group.commit({ customer, phones: phoneRows(customer, phones) }, keepAlive);
}
