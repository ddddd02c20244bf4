package dev.xatm.cdi;

import dev.xatm.cdi.internal.MandatoryInterceptor;
import dev.xatm.cdi.internal.NeverInterceptor;
import dev.xatm.cdi.internal.NotSupportedInterceptor;
import dev.xatm.cdi.internal.RequiredInterceptor;
import dev.xatm.cdi.internal.RequiresNewInterceptor;
import dev.xatm.cdi.internal.ScopeEvents;
import dev.xatm.cdi.internal.SupportsInterceptor;
import dev.xatm.cdi.internal.TransactionBeans;
import dev.xatm.cdi.internal.TransactionContext;
import dev.xatm.cdi.internal.TransactionalInvoker;
import dev.xatm.cdi.internal.UserTransactionGate;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.log.TxLogException;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Destroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.BeforeShutdown;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessBeanAttributes;
import jakarta.inject.Singleton;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.Set;

/**
 * The xatm portable extension (docs/cdi.md): adding {@code xatm-cdi} to a CDI 4.0 application gives
 * it
 *
 * <ul>
 *   <li>one {@link XatmTransactionManager} bean ({@code @Singleton}), started from {@link
 *       XatmConfig#load()} when the container starts (so startup recovery runs before the
 *       application serves requests, and a bad setting fails the deployment), closed after every
 *       other bean is destroyed ({@link BeforeShutdown}). An application that produces its own
 *       {@code XatmConfig} bean gets a manager started from that; one that produces its own {@code
 *       XatmTransactionManager} keeps it (and closes it in its disposer), and the extension starts
 *       none;
 *   <li>{@code TransactionManager}, {@code TransactionSynchronizationRegistry} and {@code
 *       UserTransaction} beans backed by that manager; the {@code UserTransaction} refuses use
 *       inside {@code @Transactional} methods as Jakarta Transactions 2.0 §3.7 requires;
 *   <li>the {@code @Transactional} interceptors for all six {@code TxType}s (priority {@code
 *       PLATFORM_BEFORE + 200}, so enabled without {@code beans.xml});
 *   <li>the {@code @TransactionScoped} context.
 * </ul>
 *
 * <p>Registered through {@code META-INF/services/jakarta.enterprise.inject.spi.Extension}. The
 * container calls the observers on one thread during boot and shutdown.
 */
public class XatmCdiExtension implements Extension {
  private static final System.Logger LOG = System.getLogger(XatmCdiExtension.class.getName());

  private boolean applicationManager;
  private volatile XatmTransactionManager started;

  /** Created by the CDI container, which finds the extension through its service file. */
  public XatmCdiExtension() {}

  void registerTypes(@Observes BeforeBeanDiscovery bbd, BeanManager bm) {
    for (Class<?> c :
        new Class<?>[] {
          TransactionBeans.class,
          TransactionalInvoker.class,
          UserTransactionGate.class,
          RequiredInterceptor.class,
          RequiresNewInterceptor.class,
          MandatoryInterceptor.class,
          SupportsInterceptor.class,
          NotSupportedInterceptor.class,
          NeverInterceptor.class
        }) {
      bbd.addAnnotatedType(bm.createAnnotatedType(c), XatmCdiExtension.class.getName() + "." + c);
    }
  }

  /**
   * Notes an application's own {@code XatmTransactionManager} bean, and narrows its types to {@code
   * XatmTransactionManager} and {@code Object}: the manager is also a {@code TransactionManager},
   * {@code UserTransaction} and registry, and those types belong to the extension's beans (else
   * every such injection point would be ambiguous, and the application's {@code UserTransaction}
   * would not be guarded).
   */
  void noteApplicationBeans(@Observes ProcessBeanAttributes<?> pba) {
    Set<Type> types = pba.getBeanAttributes().getTypes();
    if (types.contains(XatmTransactionManager.class)) {
      applicationManager = true;
      pba.configureBeanAttributes().types(XatmTransactionManager.class, Object.class);
    }
  }

  void addBeansAndContext(@Observes AfterBeanDiscovery abd, BeanManager bm) {
    if (!applicationManager) {
      abd.<XatmTransactionManager>addBean()
          .beanClass(XatmCdiExtension.class)
          .types(XatmTransactionManager.class, Object.class)
          .scope(Singleton.class)
          .produceWith(
              instance -> {
                // The application's XatmConfig bean (any bean: producer, class, synthetic), else
                // xatm.properties / XATM_* / -Dxatm.config.
                Instance<XatmConfig> own = instance.select(XatmConfig.class);
                return start(own.isResolvable() ? own.get() : XatmConfig.load());
              });
    }
    abd.addContext(
        new TransactionContext(
            () -> bm.createInstance().select(TransactionManager.class).get(),
            () -> bm.createInstance().select(TransactionSynchronizationRegistry.class).get(),
            new Events(bm)));
  }

  private synchronized XatmTransactionManager start(XatmConfig config) {
    if (started == null) {
      started = XatmTransactionManager.start(config);
    }
    return started;
  }

  /**
   * Starts the manager now rather than at first use: startup recovery finishes before the
   * application runs, and a configuration or log error fails the deployment with its message.
   */
  void startEagerly(@Observes AfterDeploymentValidation adv, BeanManager bm) {
    try {
      XatmTransactionManager tm = bm.createInstance().select(XatmTransactionManager.class).get();
      LOG.log(System.Logger.Level.INFO, "xatm-cdi: transaction manager " + tm + " ready");
    } catch (RuntimeException e) {
      adv.addDeploymentProblem(e);
    }
  }

  /**
   * Closes the manager the extension started. {@code BeforeShutdown} comes after the container
   * destroyed its contexts, so the application's DataSources (closed in their disposers) are closed
   * first and no transaction of theirs is left running.
   */
  void close(@Observes BeforeShutdown bs) {
    XatmTransactionManager tm;
    synchronized (this) {
      tm = started;
      started = null;
    }
    if (tm != null) {
      try {
        tm.close();
      } catch (TxLogException e) {
        // Shutdown goes on; the log is reopened (and checked) by the next start.
        LOG.log(System.Logger.Level.ERROR, "xatm-cdi: closing the transaction log failed", e);
      }
    }
  }

  /** Scope lifecycle events; observers run on the thread that begins or completes the scope. */
  private static final class Events implements ScopeEvents {
    private final BeanManager bm;

    Events(BeanManager bm) {
      this.bm = bm;
    }

    @Override
    public void initialized(Object transaction) {
      fire(transaction, Initialized.Literal.of(TransactionScoped.class));
    }

    @Override
    public void beforeDestroyed(Object transaction) {
      fire(transaction, BeforeDestroyed.Literal.of(TransactionScoped.class));
    }

    @Override
    public void destroyed(Object transaction) {
      fire(transaction, Destroyed.Literal.of(TransactionScoped.class));
    }

    private void fire(Object payload, Annotation qualifier) {
      bm.getEvent().select(qualifier).fire(payload);
    }
  }
}
