package io.jrunc.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method that needs root on a real kernel: it clones into new
 * namespaces, mounts, makes cgroups, switches users or runs containers. When the JVM is not
 * root (effective uid 0 with {@code CAP_SYS_ADMIN}) the test is skipped, and the reason names
 * {@link #value() what it needs root for} and who the JVM runs as. As root (the build machine,
 * CI) it runs.
 *
 * <p>CI passes {@code -Djrunc.test.requireRoot=true}: there a missing root fails every gated
 * test instead of skipping it, so a CI lane that lost its root cannot pass by running nothing.
 *
 * <p>Also tags the test {@code root}, so {@code -DexcludedGroups=root} leaves them out.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag("root")
@ExtendWith(RootCondition.class)
public @interface RequiresRoot {
  /** What the test does that needs root, e.g. "clones into new mount and pid namespaces". */
  String value();
}
