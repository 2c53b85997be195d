package io.jrunc.spec.validate;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Manual measurement (not a test): cold-JVM cost of each validation stage on one config.
 * Usage: java -cp ... io.jrunc.spec.validate.ValidationTiming config.json
 */
public final class ValidationTiming {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        byte[] json = Files.readAllBytes(Path.of(args[0]));
        ValidationReport semantic = Validator.validate(json, ValidationOptions.forCreate());
        long t1 = System.nanoTime();
        ValidationReport full = Validator.validate(json, ValidationOptions.full());
        long t2 = System.nanoTime();
        ValidationReport again = Validator.validate(json, ValidationOptions.full());
        long t3 = System.nanoTime();
        System.out.printf("parse+bind+semantic (first, cold Jackson): %.1f ms ok=%s%n", (t1 - t0) / 1e6, semantic.ok());
        System.out.printf("with schema, first call (schema load):     %.1f ms ok=%s%n", (t2 - t1) / 1e6, full.ok());
        System.out.printf("with schema, second call:                  %.1f ms ok=%s%n", (t3 - t2) / 1e6, again.ok());
    }
}
