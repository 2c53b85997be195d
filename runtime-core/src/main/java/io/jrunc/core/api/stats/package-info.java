/**
 * The data that {@code Container.stats()} returns. A package of its own, under the API, because
 * the cgroup managers build it: in {@code io.jrunc.core.api} it would make the managers import
 * the API package, which imports the container layer, which imports the managers (a package
 * cycle); here it imports nothing of jrunc.
 */
package io.jrunc.core.api.stats;
