package dev.xatm.tm.cluster;

import dev.xatm.tm.XatmConfigException;
import dev.xatm.wal.NodeIds;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code xatm.cluster.node-ids} value: a comma-separated list of node ids and ranges, {@code
 * app-1..app-8} standing for {@code app-1}, {@code app-2}, ... {@code app-8}.
 */
final class NodeIdPool {
  private static final Pattern RANGE = Pattern.compile("(.*?)(\\d+)\\.\\.(.*?)(\\d+)");
  private static final int MAX = 10_000;

  private NodeIdPool() {}

  /**
   * @param key the setting, for messages
   * @param value its value
   * @return the node ids in order, without duplicates
   * @throws XatmConfigException an empty value, a bad range, an invalid node id or a duplicate
   */
  static List<String> parse(String key, String value) {
    if (value.isBlank()) {
      throw new XatmConfigException(key, value, "is empty: list node ids, e.g. app-1..app-8");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (String part : value.split(",")) {
      String item = part.trim();
      Matcher m = RANGE.matcher(item);
      List<String> expanded = new ArrayList<>();
      if (m.matches()) {
        if (!m.group(1).equals(m.group(3))) {
          throw new XatmConfigException(
              key, item, "is a range whose two ends have different prefixes");
        }
        long from = Long.parseLong(m.group(2));
        long to = Long.parseLong(m.group(4));
        if (to < from || to - from >= MAX) {
          throw new XatmConfigException(
              key, item, "is a range that is empty, reversed or longer than " + MAX);
        }
        for (long i = from; i <= to; i++) {
          expanded.add(m.group(1) + i);
        }
      } else {
        expanded.add(item);
      }
      for (String id : expanded) {
        try {
          NodeIds.validate(id);
        } catch (IllegalArgumentException e) {
          throw new XatmConfigException(key, id, "is not a valid node id: " + e.getMessage());
        }
        if (!ids.add(id)) {
          throw new XatmConfigException(key, id, "is listed twice");
        }
        if (ids.size() > MAX) {
          throw new XatmConfigException(key, null, "lists more than " + MAX + " node ids");
        }
      }
    }
    return List.copyOf(ids);
  }
}
