package dev.xatm.wal.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event: one batch the writer wrote and forced (docs/operations.md, "JFR events"). Committed by
 * the writer thread after the fsync returned; costs nothing while no recording enables it.
 */
@Name("dev.xatm.wal.LogForce")
@Label("xatm Log Force")
@Category({"xatm", "Log"})
@Description("A batch of log records written with one write and made durable with one fsync")
@StackTrace(false)
final class LogForceEvent extends jdk.jfr.Event {
  @Label("Records")
  @Description("Records in the batch")
  int records;

  @Label("Bytes")
  @Description("Record bytes in the batch, headers included")
  @DataAmount
  long bytes;

  @Label("Fsync Time")
  @Description("Time FileChannel.force took")
  @Timespan(Timespan.NANOSECONDS)
  long fsyncTime;

  @Label("Longest Queue Wait")
  @Description("Longest time a record of the batch waited from its append until the write")
  @Timespan(Timespan.NANOSECONDS)
  long maxQueueWait;

  @Label("Segment")
  @Description("Index of the segment written")
  long segment;

  @Label("Last LSN")
  @Description("LSN of the batch's last record, durable once this event is committed")
  long lastLsn;
}
