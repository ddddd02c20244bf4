package dev.xatm.it.boot.single;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A ledger entry, in the one database of {@link LedgerApplication}. */
@Entity
@Table(name = "entry")
public class Entry {
  @Id private String id;
  private long amount;

  protected Entry() {}

  public Entry(String id, long amount) {
    this.id = id;
    this.amount = amount;
  }

  public String getId() {
    return id;
  }

  public long getAmount() {
    return amount;
  }
}
