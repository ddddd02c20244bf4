package dev.xatm.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The entity of the Hibernate tests: one row per owner, in either database. */
@Entity
@Table(name = "hib_account")
public class Account {
  @Id private long id;
  private String owner;
  private long balance;

  protected Account() {}

  public Account(long id, String owner, long balance) {
    this.id = id;
    this.owner = owner;
    this.balance = balance;
  }

  public long id() {
    return id;
  }

  public long balance() {
    return balance;
  }

  public void add(long amount) {
    balance += amount;
  }
}
