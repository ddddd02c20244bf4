package dev.xatm.cli;

import dev.xatm.tm.XatmOperationsMXBean;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rendering shared by the online commands. Stateless. */
final class Online {
  private Online() {}

  static Map<String, Object> head(OnlineTm tm) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", true);
    m.put("nodeId", tm.nodeId());
    m.put("target", tm.where());
    return m;
  }

  static Map<String, Object> line(XatmOperationsMXBean.Line l) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("xid", l.xid());
    o.put("resourceId", l.resourceId());
    o.put("logState", l.logState());
    o.put("action", l.action());
    o.put("result", l.result());
    o.put("reason", l.reason());
    o.put("unresolved", l.unresolved());
    return o;
  }

  static void printLine(PrintWriter out, OnlineTm tm, XatmOperationsMXBean.Line l, boolean json) {
    if (json) {
      Map<String, Object> m = head(tm);
      m.put("line", line(l));
      out.println(Json.write(m));
      return;
    }
    List<String[]> p = new ArrayList<>();
    p.add(new String[] {"node", tm.nodeId()});
    p.add(new String[] {"xid", l.xid()});
    p.add(new String[] {"resource", l.resourceId()});
    p.add(new String[] {"log state", l.logState()});
    p.add(new String[] {"action", l.action()});
    p.add(new String[] {"result", l.result() + (l.unresolved() ? " (UNRESOLVED)" : "")});
    p.add(new String[] {"reason", l.reason()});
    Table.pairs(out, p);
  }

  static Table lines(XatmOperationsMXBean.Line[] lines) {
    Table t = new Table("XID", "RESOURCE", "LOG STATE", "ACTION", "RESULT", "REASON");
    for (XatmOperationsMXBean.Line l : lines) {
      t.row(l.xid(), l.resourceId(), l.logState(), l.action(), l.result(), l.reason());
    }
    return t;
  }

  static List<Object> linesJson(XatmOperationsMXBean.Line[] lines) {
    List<Object> out = new ArrayList<>();
    for (XatmOperationsMXBean.Line l : lines) {
      out.add(line(l));
    }
    return out;
  }
}
