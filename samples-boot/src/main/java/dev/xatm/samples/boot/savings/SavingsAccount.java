package dev.xatm.samples.boot.savings;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An account's savings balance, in MariaDB (persistence unit {@code savings}). */
@Entity
@Table(name = "account")
public class SavingsAccount {
  @Id private String id;
  private long balance;

  protected SavingsAccount() {}

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
