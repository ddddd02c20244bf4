package dev.xatm.it.boot;

import java.lang.reflect.Method;
import java.util.Map;
import org.springframework.context.ApplicationContext;

/**
 * Reads the {@code xatm} health indicator through whichever Boot line's API it implements (the
 * shared tests compile against both lines, and the Health classes live in different packages), so
 * the test sees exactly what the actuator would.
 */
public final class Health {
  /** Status code and details of one reading. */
  public record Reading(String status, Map<String, Object> details) {}

  private static final String[] INDICATOR_TYPES = {
    "org.springframework.boot.actuate.health.HealthIndicator", // Boot 3
    "org.springframework.boot.health.contributor.HealthIndicator" // Boot 4
  };

  private Health() {}

  /** The Health API class the indicator bean implements (proves which line's API is in use). */
  public static String indicatorType(ApplicationContext ctx) {
    Object bean = ctx.getBean("xatmHealthIndicator");
    for (String t : INDICATOR_TYPES) {
      try {
        if (Class.forName(t).isInstance(bean)) {
          return t;
        }
      } catch (ClassNotFoundException e) {
        // that line is not on the class path
      }
    }
    throw new AssertionError("xatmHealthIndicator implements no known HealthIndicator: " + bean);
  }

  private static final String[] ENDPOINT_TYPES = {
    "org.springframework.boot.actuate.health.HealthEndpoint", // Boot 3
    "org.springframework.boot.health.actuate.endpoint.HealthEndpoint" // Boot 4
  };

  /**
   * The status of a health group ({@code readiness}, {@code liveness}) as the actuator's {@code
   * HealthEndpoint} bean computes it for {@code /actuator/health/<group>}: the group's members
   * aggregated by Boot, not the {@code xatm} indicator alone.
   */
  public static String group(ApplicationContext ctx, String group)
      throws ReflectiveOperationException {
    for (String t : ENDPOINT_TYPES) {
      Class<?> type;
      try {
        type = Class.forName(t);
      } catch (ClassNotFoundException e) {
        continue; // the other line
      }
      Object endpoint = ctx.getBean(type);
      Object descriptor =
          type.getMethod("healthForPath", String[].class)
              .invoke(endpoint, (Object) new String[] {group});
      if (descriptor == null) {
        throw new AssertionError("no health group " + group);
      }
      Object status = descriptor.getClass().getMethod("getStatus").invoke(descriptor);
      return (String) status.getClass().getMethod("getCode").invoke(status);
    }
    throw new AssertionError("no HealthEndpoint class of Boot 3 or 4 on the class path");
  }

  @SuppressWarnings("unchecked")
  public static Reading read(ApplicationContext ctx) throws ReflectiveOperationException {
    Object bean = ctx.getBean("xatmHealthIndicator");
    Class<?> type = Class.forName(indicatorType(ctx));
    Object health = type.getMethod("health").invoke(bean);
    Method status = health.getClass().getMethod("getStatus");
    Object s = status.invoke(health);
    String code = (String) s.getClass().getMethod("getCode").invoke(s);
    Map<String, Object> details =
        (Map<String, Object>) health.getClass().getMethod("getDetails").invoke(health);
    return new Reading(code, details);
  }
}
