package io.jrunc.cli;

public final class Main {
  public static void main(String[] args) {
    System.out.println("jrunc version 0.1.0");
  }
}
