package io.jrunc.spec;

import java.util.List;

/** A lifecycle hook: absolute path, argv, env, optional timeout in seconds (&gt; 0). */
public record Hook(String path, List<String> args, List<String> env, Integer timeout) {
}
