package io.jrunc.shim;

public final class Main {
  public static void main(String[] args) {}
}
