package io.jrunc.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import io.jrunc.spec.Json;
import java.io.UncheckedIOException;

/**
 * Indented JSON the way Go's {@code json.MarshalIndent} writes it, so our output diffs cleanly
 * against runc's: {@code "key": value}, {@code []} for an empty array, the given indent unit
 * ({@code runc features} uses four spaces, {@code runc spec} a tab), trailing newline.
 */
public final class GoJson {
  private GoJson() {}

  public static String pretty(Object value, String indent) {
    DefaultIndenter indenter = new DefaultIndenter(indent, "\n");
    Separators seps =
        Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withObjectEmptySeparator("")
            .withArrayEmptySeparator("");
    DefaultPrettyPrinter pp =
        new DefaultPrettyPrinter(seps).withObjectIndenter(indenter).withArrayIndenter(indenter);
    try {
      return Json.mapper().writer(pp).writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
