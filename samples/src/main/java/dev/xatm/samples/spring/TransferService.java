package dev.xatm.samples.spring;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/**
 * Moves money between an account's checking ledger (PostgreSQL) and its savings ledger (MariaDB) in
 * one JTA transaction: both updates commit together through two-phase commit, or neither does.
 *
 * <p>Each ledger database has {@code account(id varchar(32) primary key, balance bigint not null)}.
 * A runtime exception thrown anywhere in a {@code @Transactional} method, even after both updates
 * ran, rolls back both databases: the savings cap below is checked on purpose after both updates,
 * against the balance the transfer produced.
 *
 * <p>Both methods update checking before savings. A deadlock that spans two databases is seen by
 * neither of them: each only sees a lock wait, which ends in a lock wait timeout (MariaDB's default
 * is 50 s). One global lock order (checking, then savings) makes such cycles impossible.
 *
 * <p>Thread-safe (stateless; each call runs in the calling thread's transaction).
 */
public class TransferService {
  private final JdbcTemplate checking;
  private final JdbcTemplate savings;
  private final long maxSavingsBalance;

  public TransferService(JdbcTemplate checking, JdbcTemplate savings, long maxSavingsBalance) {
    this.checking = checking;
    this.savings = savings;
    this.maxSavingsBalance = maxSavingsBalance;
  }

  /**
   * Moves {@code amount} from checking to savings.
   *
   * @throws TransferRejectedException not enough money in checking, or savings would exceed its
   *     cap; nothing changed in either database
   */
  @Transactional
  public void moveToSavings(String account, long amount) {
    debit(checking, "checking", account, amount);
    credit(savings, "savings", account, amount);
    long after = balance(savings, account);
    if (after > maxSavingsBalance) {
      throw new TransferRejectedException(
          "savings of "
              + account
              + " would reach "
              + after
              + ", above the cap of "
              + maxSavingsBalance
              + "; the transfer is rolled back in both databases");
    }
  }

  /**
   * Moves {@code amount} from savings back to checking. Checking is updated first here too (see the
   * class comment on lock order); if savings then lacks the money, the credit is rolled back.
   *
   * @throws TransferRejectedException not enough money in savings; nothing changed
   */
  @Transactional
  public void moveToChecking(String account, long amount) {
    credit(checking, "checking", account, amount);
    debit(savings, "savings", account, amount);
  }

  /** Both balances of an account, read in one transaction: {@code [checking, savings]}. */
  @Transactional(readOnly = true)
  public long[] balances(String account) {
    return new long[] {balance(checking, account), balance(savings, account)};
  }

  private static void debit(JdbcTemplate db, String ledger, String account, long amount) {
    int rows =
        db.update(
            "update account set balance = balance - ? where id = ? and balance >= ?",
            amount,
            account,
            amount);
    if (rows != 1) {
      throw new TransferRejectedException(
          "no account " + account + " in " + ledger + " with a balance of at least " + amount);
    }
  }

  private static void credit(JdbcTemplate db, String ledger, String account, long amount) {
    if (db.update("update account set balance = balance + ? where id = ?", amount, account) != 1) {
      throw new TransferRejectedException("no account " + account + " in " + ledger);
    }
  }

  private static long balance(JdbcTemplate db, String account) {
    Long b = db.queryForObject("select balance from account where id = ?", Long.class, account);
    if (b == null) {
      throw new IllegalStateException("account " + account + " has a null balance");
    }
    return b;
  }
}
