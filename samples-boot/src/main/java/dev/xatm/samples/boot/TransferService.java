package dev.xatm.samples.boot;

import dev.xatm.samples.boot.checking.CheckingAccount;
import dev.xatm.samples.boot.checking.CheckingAccounts;
import dev.xatm.samples.boot.savings.SavingsAccount;
import dev.xatm.samples.boot.savings.SavingsAccounts;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Moves money from checking (PostgreSQL) to savings (MariaDB) with JPA, in one {@code
 * Transactional} method: two persistence units, one JTA transaction, two-phase commit.
 */
@Service
public class TransferService {
  private final CheckingAccounts checking;
  private final SavingsAccounts savings;
  private final AuditService audit;
  private final long maxSavings;

  public TransferService(
      CheckingAccounts checking,
      SavingsAccounts savings,
      AuditService audit,
      @Value("${bank.savings.max-balance:1000000}") long maxSavings) {
    this.checking = checking;
    this.savings = savings;
    this.audit = audit;
    this.maxSavings = maxSavings;
  }

  /**
   * Moves {@code amount}; both updates are flushed to their databases before the savings cap is
   * checked, so a rejection rolls back two written branches.
   */
  @Transactional
  public void moveToSavings(String account, long amount) {
    CheckingAccount c = checking.findById(account).orElseThrow();
    if (c.getBalance() < amount) {
      throw new TransferRejectedException("not enough money in checking of " + account);
    }
    c.setBalance(c.getBalance() - amount);
    checking.saveAndFlush(c);
    SavingsAccount s = savings.findById(account).orElseThrow();
    s.setBalance(s.getBalance() + amount);
    savings.saveAndFlush(s);
    if (s.getBalance() > maxSavings) {
      throw new TransferRejectedException(
          "savings of " + account + " would reach " + s.getBalance() + ", above " + maxSavings);
    }
  }

  /**
   * Like {@link #moveToSavings} but changes the entities without flushing (JPA flushes at commit).
   */
  @Transactional
  public void moveToSavingsUnflushed(String account, long amount) {
    CheckingAccount c = checking.findById(account).orElseThrow();
    c.setBalance(c.getBalance() - amount);
    SavingsAccount s = savings.findById(account).orElseThrow();
    s.setBalance(s.getBalance() + amount);
  }

  /** Both balances of an account, read in one transaction: {@code [checking, savings]}. */
  @Transactional(readOnly = true)
  public long[] balances(String account) {
    return new long[] {
      checking.findById(account).orElseThrow().getBalance(),
      savings.findById(account).orElseThrow().getBalance()
    };
  }

  /** Moves, writes an audit line in a REQUIRES_NEW transaction, then fails if told to. */
  @Transactional
  public void moveAudited(String account, long amount, String auditId, boolean failAfter) {
    moveToSavings(account, amount);
    audit.record(auditId, "move " + amount + " for " + account);
    if (failAfter) {
      throw new TransferRejectedException("failing after the audit line on purpose");
    }
  }

  /** Debits, waits {@code pauseMillis} inside the transaction, then credits. */
  @Transactional
  public void moveSlowly(String account, long amount, long pauseMillis) {
    CheckingAccount c = checking.findById(account).orElseThrow();
    c.setBalance(c.getBalance() - amount);
    checking.saveAndFlush(c);
    try {
      Thread.sleep(pauseMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    SavingsAccount s = savings.findById(account).orElseThrow();
    s.setBalance(s.getBalance() + amount);
    savings.saveAndFlush(s);
  }
}
