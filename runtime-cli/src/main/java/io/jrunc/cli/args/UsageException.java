package io.jrunc.cli.args;

import io.jrunc.cli.CliException;

/**
 * The command line itself is wrong (unknown flag, missing value, wrong number of arguments).
 * Messages follow Go's flag package, which runc's urfave/cli uses, e.g. {@code flag provided
 * but not defined: -x}.
 */
public final class UsageException extends CliException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
