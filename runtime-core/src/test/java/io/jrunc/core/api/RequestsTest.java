package io.jrunc.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.container.CreateRequest;
import io.jrunc.core.container.ExecRequest;
import io.jrunc.core.process.ProcessStdio;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The public options reach the container layer field for field: every component of
 * {@link CreateOptions} and {@link ExecOptions} has a component of the same name in the layer's
 * request with the same value (a distinct value per field, so two paths or two flags swapped in
 * {@link Requests} fail here), and a field added to one record but not the other fails too.
 */
class RequestsTest {
  static final Stdio STDIO = new Stdio(new Stdio.ToFile(Path.of("/in")), new Stdio.Pipe(), new Stdio.Inherit());
  static final ProcessStdio PROCESS_STDIO = new ProcessStdio(new ProcessStdio.ToFile(Path.of("/in")),
      new ProcessStdio.Pipe(), new ProcessStdio.Inherit());

  @Test
  void createOptionsArriveFieldForField() throws Exception {
    CreateOptions o = new CreateOptions(Path.of("/bundle"), Path.of("/pid"), Path.of("/console"), true, false, 3,
        STDIO, true, Path.of("/pidfd"), 7, false);
    assertSameFields(o, Requests.create(o));
    CreateOptions flipped = new CreateOptions(Path.of("/bundle"), null, null, false, true, 0, Stdio.inherit(),
        false, null, -1, true);
    assertSameFields(flipped, Requests.create(flipped));
  }

  @Test
  void execOptionsArriveFieldForField() throws Exception {
    ExecOptions o = new ExecOptions(STDIO, 2, Path.of("/pid"), true, Path.of("/console"), 9, Path.of("/pidfd"),
        Map.of("", "sub"));
    assertSameFields(o, Requests.exec(o));
  }

  private static void assertSameFields(Record options, Record request) throws Exception {
    assertThat(values(request).keySet()).isEqualTo(values(options).keySet());
    Map<String, Object> expected = values(options);
    expected.replaceAll((name, v) -> v instanceof Stdio s ? Requests.stdio(s) : v);
    assertThat(values(request)).isEqualTo(expected);
    if (options instanceof CreateOptions c && c.stdio() == STDIO) {
      assertThat(((CreateRequest) request).stdio()).isEqualTo(PROCESS_STDIO);
    }
    if (options instanceof ExecOptions) assertThat(((ExecRequest) request).stdio()).isEqualTo(PROCESS_STDIO);
  }

  private static Map<String, Object> values(Record r) throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent c : r.getClass().getRecordComponents()) out.put(c.getName(), c.getAccessor().invoke(r));
    return out;
  }
}
