package io.jrunc.spec.validate;

import io.jrunc.spec.Json;
import io.jrunc.spec.Spec;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * Manual measurement (not a test): cold-JVM cost of each stage on one config.
 * Usage: java -cp ... io.jrunc.spec.validate.ValidationTiming config.json
 */
public final class ValidationTiming {
    public static void main(String[] args) throws Exception {
        long jvm = ManagementFactory.getRuntimeMXBean().getUptime();
        long t0 = System.nanoTime();
        Spec spec = Json.read(java.nio.file.Files.readAllBytes(Path.of(args[0])), Spec.class);
        long t1 = System.nanoTime();
        var problems = Validator.semantic(spec);
        long t2 = System.nanoTime();
        byte[] json = java.nio.file.Files.readAllBytes(Path.of(args[0]));
        var full = Validator.validate(json, ValidationOptions.full());
        long t3 = System.nanoTime();
        var again = Validator.validate(json, ValidationOptions.full());
        long t4 = System.nanoTime();
        String out = Json.write(spec);
        long t5 = System.nanoTime();
        System.out.printf("jvm-to-main %d ms | read config (codec) %.1f | semantic %.1f | write %.1f | full validate with schema: first %.1f, warm %.1f ms (%d/%s/%s/%d)%n",
                jvm, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t5 - t4) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6,
                problems.size(), full.ok(), again.ok(), out.length());
    }
}
