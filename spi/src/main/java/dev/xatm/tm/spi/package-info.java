/**
 * The small contract between the transaction manager and resource adapters such as the {@code
 * jdbc:xa:} driver. Adapters depend on this package and on {@code jakarta.transaction} only.
 *
 * <ul>
 *   <li>An enlisted {@link javax.transaction.xa.XAResource} that implements {@link
 *       dev.xatm.tm.spi.IdentifiedXAResource} tells the TM which resource it belongs to, so the TM
 *       can log it ({@code ResourceRegistered}) and recovery can reach it again.
 *   <li>A {@link dev.xatm.tm.spi.RecoveryConnector}, found with {@link java.util.ServiceLoader},
 *       turns a logged or configured resource URL plus credentials into an XAResource for recovery.
 *   <li>{@link dev.xatm.tm.spi.XatmRuntime} is what a running TM offers adapters; {@link
 *       dev.xatm.tm.spi.XatmRuntimes} publishes the one a plain {@code java.sql.Driver} uses.
 * </ul>
 */
package dev.xatm.tm.spi;
