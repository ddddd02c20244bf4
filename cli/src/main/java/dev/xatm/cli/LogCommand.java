package dev.xatm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code xatm log}: the read-only commands on a stopped node's log directory. */
@Command(
    name = "log",
    description = "Read-only commands on a stopped node's log directory.",
    mixinStandardHelpOptions = true,
    subcommands = {LogVerify.class, LogDump.class, LogStat.class})
final class LogCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "give a log command: verify, dump or stat");
  }
}
