package dev.xatm.spring.boot.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.wal.WalStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log's force latency and batch size (audit gap 2 of issue 13): {@code tm.metrics().logIo()}
 * has them since the log writer measures them, and the binder must publish them, each equal to what
 * the TM reports when it is read.
 */
class XatmMeterBinderTest {
  @TempDir Path dir;

  @Test
  void logForceLatencyAndBatchSizeArePublishedFromTheLogWritersHistograms() throws Exception {
    try (XatmTransactionManager tm =
        XatmTransactionManager.start(
            XatmConfig.builder()
                .nodeId("binder-unit")
                .logDir(dir.resolve("log"))
                .installAsDefault(false)
                .jmxEnabled(false)
                .build())) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new XatmMeterBinder(tm).bindTo(registry);
      WalStats io = tm.metrics().logIo();
      assertTrue(io.forceLatencyMicros().count() > 0, "starting the TM forced the log: " + io);

      FunctionTimer force =
          registry.find("xatm.log.force").tag("node", "binder-unit").functionTimer();
      assertNotNull(force, "xatm.log.force (fsyncs of a batch)");
      assertEquals(io.forceLatencyMicros().count(), (long) force.count());
      assertEquals(io.forceLatencyMicros().sum(), force.totalTime(TimeUnit.MICROSECONDS), 0.5);
      TimeGauge p99 = registry.find("xatm.log.force.latency").tag("quantile", "0.99").timeGauge();
      assertNotNull(p99, "xatm.log.force.latency{quantile=0.99}");
      assertEquals(io.forceLatencyMicros().percentile(0.99), p99.value(TimeUnit.MICROSECONDS), 0.5);
      TimeGauge max = registry.find("xatm.log.force.latency").tag("quantile", "1.0").timeGauge();
      assertEquals(io.forceLatencyMicros().max(), max.value(TimeUnit.MICROSECONDS), 0.5);

      FunctionCounter batches = registry.find("xatm.log.batches").functionCounter();
      FunctionCounter records = registry.find("xatm.log.batch.records").functionCounter();
      assertNotNull(batches, "xatm.log.batches");
      assertNotNull(records, "xatm.log.batch.records");
      assertEquals(io.batchRecords().count(), (long) batches.count());
      assertEquals(io.batchRecords().sum(), (long) records.count());
      Gauge size = registry.find("xatm.log.batch.size").tag("quantile", "0.5").gauge();
      assertNotNull(size, "xatm.log.batch.size{quantile=0.5}");
      assertEquals(io.batchRecords().percentile(0.5), size.value(), 0.5);
      assertNotNull(registry.find("xatm.log.queue.wait").functionTimer());

      // Read when read: a transaction later shows up without binding again.
      long before = (long) batches.count();
      tm.begin();
      tm.commit();
      tm.recovery().runPass();
      assertEquals(tm.metrics().logIo().batchRecords().count(), (long) batches.count());
      assertTrue(batches.count() >= before);
    }
  }
}
