/**
 * The OCI runtime-spec as Java records ({@code io.jrunc.spec}: config, state, features, the
 * JSON codec) and the config validator ({@code io.jrunc.spec.validate}).
 *
 * <p>Jackson appears in the exported signatures ({@code Json.mapper()}, {@code JsonNode} trees),
 * so it is required transitively. The records are opened to Jackson databind: the codec writes
 * them by hand, but a map or tree that holds one (the seccomp agent's process state, runc's
 * {@code events} document) goes through the databind mapper, which reads their accessors
 * reflectively.
 */
module io.jrunc.spec {
  requires transitive com.fasterxml.jackson.databind;
  requires com.networknt.schema;
  // SchemaCheck asks ServiceLoader whether an SLF4J provider is present before it quiets SLF4J
  requires org.slf4j;

  uses org.slf4j.spi.SLF4JServiceProvider;

  exports io.jrunc.spec;
  exports io.jrunc.spec.validate;

  opens io.jrunc.spec to com.fasterxml.jackson.databind;
}
