package dev.xatm.cdi.internal;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.interceptor.InvocationContext;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionRequiredException;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import jakarta.transaction.TransactionalException;

/**
 * What the six {@code @Transactional} interceptors do (Jakarta Transactions 2.0 §3.7), in one
 * place:
 *
 * <pre>
 * type           no transaction on the thread      a transaction on the thread
 * REQUIRED       begin, run, complete              run in it
 * REQUIRES_NEW   begin, run, complete              suspend; begin, run, complete; resume
 * MANDATORY      TransactionalException            run in it
 *                  (cause TransactionRequiredException)
 * SUPPORTS       run without                       run in it
 * NOT_SUPPORTED  run without                       suspend; run; resume
 * NEVER          run without                       TransactionalException
 *                                                    (cause InvalidTransactionException)
 * </pre>
 *
 * <p>"Complete" a transaction this interceptor began: after a normal return, {@code commit}; a
 * failure of the commit (including {@code RollbackException} because the transaction timed out or
 * was marked rollback-only meanwhile) is thrown as a {@link TransactionalException} with that
 * cause, so a caller never mistakes rolled-back work for committed work. After an exception, {@link
 * RollbackRules} decides: rollback, or commit; the exception is rethrown as it was, and a failure
 * of that completion is added to it as suppressed. An exception in a transaction the interceptor
 * joined marks it rollback-only when the rules say so.
 *
 * <p>Thread-safe; each call works on the calling thread's transaction.
 */
@ApplicationScoped
public class TransactionalInvoker {
  @Inject TransactionManager tm;
  @Inject UserTransactionGate gate;

  public Object invoke(TxType type, InvocationContext ctx) throws Exception {
    TxType previous = gate.enter(type);
    try {
      return switch (type) {
        case REQUIRED -> current() == null ? runInNew(ctx) : runInCurrent(ctx);
        case REQUIRES_NEW -> runSuspended(ctx, true);
        case MANDATORY -> {
          if (current() == null) {
            String why =
                describe(ctx) + " is @Transactional(MANDATORY) but no transaction is active";
            throw new TransactionalException(why, new TransactionRequiredException(why));
          }
          yield runInCurrent(ctx);
        }
        case SUPPORTS -> current() == null ? ctx.proceed() : runInCurrent(ctx);
        case NOT_SUPPORTED -> runSuspended(ctx, false);
        case NEVER -> {
          Transaction tx = current();
          if (tx != null) {
            String why =
                describe(ctx) + " is @Transactional(NEVER) but transaction " + tx + " is active";
            throw new TransactionalException(why, new InvalidTransactionException(why));
          }
          yield ctx.proceed();
        }
      };
    } finally {
      gate.restore(previous);
    }
  }

  private Transaction current() {
    try {
      return tm.getTransaction();
    } catch (SystemException e) {
      throw new TransactionalException("the transaction of this thread is unknown", e);
    }
  }

  /** Suspends the thread's transaction (if any), runs the method, resumes it. */
  private Object runSuspended(InvocationContext ctx, boolean inNewTransaction) throws Exception {
    Transaction suspended;
    try {
      suspended = tm.suspend();
    } catch (SystemException e) {
      throw new TransactionalException(describe(ctx) + ": suspending the transaction failed", e);
    }
    Object result;
    try {
      result = inNewTransaction ? runInNew(ctx) : ctx.proceed();
    } catch (Exception | Error e) {
      resume(suspended, ctx, e);
      throw e;
    }
    resume(suspended, ctx, null);
    return result;
  }

  private void resume(Transaction suspended, InvocationContext ctx, Throwable pending) {
    if (suspended == null) {
      return;
    }
    try {
      tm.resume(suspended);
    } catch (InvalidTransactionException | SystemException | IllegalStateException e) {
      TransactionalException failure =
          new TransactionalException(
              describe(ctx) + ": resuming the suspended transaction " + suspended + " failed", e);
      if (pending == null) {
        throw failure;
      }
      pending.addSuppressed(failure);
    }
  }

  private Object runInNew(InvocationContext ctx) throws Exception {
    try {
      tm.begin();
    } catch (NotSupportedException | SystemException e) {
      throw new TransactionalException(describe(ctx) + ": beginning a transaction failed", e);
    }
    Transaction tx = current();
    Object result;
    try {
      result = ctx.proceed();
    } catch (Exception | Error e) {
      completeAfter(e, tx, ctx);
      throw e;
    }
    requireOnThread(tx, ctx);
    try {
      tm.commit();
    } catch (Exception e) {
      throw new TransactionalException(
          describe(ctx) + ": transaction " + tx + " did not commit: " + e.getMessage(), e);
    }
    return result;
  }

  /** Completes the transaction this interceptor began after the method threw {@code failure}. */
  private void completeAfter(Throwable failure, Transaction tx, InvocationContext ctx) {
    try {
      requireOnThread(tx, ctx);
      if (rules(ctx).rollsBack(failure)) {
        tm.rollback();
      } else {
        tm.commit();
      }
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
  }

  private Object runInCurrent(InvocationContext ctx) throws Exception {
    try {
      return ctx.proceed();
    } catch (Exception | Error e) {
      if (rules(ctx).rollsBack(e)) {
        try {
          tm.setRollbackOnly();
        } catch (SystemException | IllegalStateException markFailed) {
          e.addSuppressed(markFailed);
        }
      }
      throw e;
    }
  }

  /**
   * The method must leave the transaction the interceptor began on the thread: completing another
   * one would commit work the interceptor does not own. Ours is rolled back through its {@link
   * Transaction} object instead.
   */
  private void requireOnThread(Transaction tx, InvocationContext ctx) {
    Transaction now = current();
    if (now == tx) {
      return;
    }
    IllegalStateException why =
        new IllegalStateException(
            describe(ctx)
                + " returned with "
                + (now == null ? "no transaction" : "transaction " + now)
                + " on the thread instead of "
                + tx
                + ", which the interceptor began; it was rolled back");
    try {
      tx.rollback();
    } catch (SystemException | IllegalStateException e) {
      why.addSuppressed(e);
    }
    throw new TransactionalException(why.getMessage(), why);
  }

  private static RollbackRules rules(InvocationContext ctx) {
    Transactional t = TransactionalLookup.find(ctx);
    return RollbackRules.of(t);
  }

  private static String describe(InvocationContext ctx) {
    var m = ctx.getMethod();
    return m == null ? "the intercepted call" : m.getDeclaringClass().getName() + "." + m.getName();
  }
}
