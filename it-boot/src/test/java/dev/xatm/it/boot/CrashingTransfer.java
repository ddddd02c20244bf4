package dev.xatm.it.boot;

import dev.xatm.samples.boot.BankApplication;
import dev.xatm.samples.boot.TransferService;
import dev.xatm.spring.boot.XatmTransactionManagerCustomizer;
import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Child-JVM entry point of the crash test: starts the sample's {@link BankApplication} with the
 * properties given as {@code --key=value} arguments (they win over its application.properties), plus a customizer that arms the TM's {@link
 * Failpoint#AFTER_COMMITTING_DURABLE}: once the commit decision is durable and before any branch
 * commits, it prints {@code XATM-DECIDED <gtrid>} and blocks, so the parent can kill the JVM with
 * SIGKILL at exactly that point. Then it runs one transfer of 100 for account {@code crash}.
 */
public final class CrashingTransfer {
  public static final String DECIDED = "XATM-DECIDED ";

  private CrashingTransfer() {}

  public static void main(String[] args) {
    Failpoints failpoints = new Failpoints();
    failpoints.arm(
        Failpoint.AFTER_COMMITTING_DURABLE,
        (point, gtrid, branch) -> {
          System.out.println(DECIDED + gtrid);
          System.out.flush();
          while (true) {
            try {
              Thread.sleep(60_000);
            } catch (InterruptedException e) {
              // keep waiting for the kill
            }
          }
        });
    ConfigurableApplicationContext ctx =
        new SpringApplicationBuilder(BankApplication.class)
            .web(WebApplicationType.NONE)
            .initializers(
                c ->
                    c.getBeanFactory()
                        .registerSingleton(
                            "crashFailpoints",
                            (XatmTransactionManagerCustomizer) b -> b.failpoints(failpoints)))
            .run(args);
    ctx.getBean(TransferService.class).moveToSavings("crash", 100);
    System.out.println("XATM-UNEXPECTED the transfer returned");
    System.exit(3);
  }
}
