/** The example as a named module: it reads jrunc's API and nothing else of it. */
module io.jrunc.example {
  requires io.jrunc.core;
}
