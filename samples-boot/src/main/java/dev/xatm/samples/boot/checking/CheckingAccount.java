package dev.xatm.samples.boot.checking;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An account's checking balance, in PostgreSQL (persistence unit {@code checking}). */
@Entity
@Table(name = "account")
public class CheckingAccount {
  @Id private String id;
  private long balance;

  protected CheckingAccount() {}

  public String getId() {
    return id;
  }

  public long getBalance() {
    return balance;
  }

  public void setBalance(long balance) {
    this.balance = balance;
  }
}
