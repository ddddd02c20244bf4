/**
 * The one dialect of xatm's settings (issue 12): a typed {@link dev.xatm.config.SettingsTable} of
 * {@link dev.xatm.config.Setting}s (key, type, default, one-line doc) from which parsing,
 * validation, builder defaults, the {@code XATM_*} environment mapping, the unknown-key policy and
 * the README's configuration table come. The transaction manager (jta-tm) and the pool
 * (jdbc-driver) each define their table with these types; the generic machinery lives here because
 * the driver may see only this artifact.
 *
 * <p>One syntax everywhere: durations {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code
 * 1d} (a bare number other than {@code 0} is refused: it would mean seconds to one reader and
 * milliseconds to another); sizes in bytes or with {@code KiB}/{@code MiB}/{@code GiB}.
 */
package dev.xatm.config;
