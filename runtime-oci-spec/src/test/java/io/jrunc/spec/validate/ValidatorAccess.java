package io.jrunc.spec.validate;

import com.fasterxml.jackson.databind.JsonMappingException;

/** Test bridge to package-private helpers. */
public final class ValidatorAccess {
    private ValidatorAccess() {
    }

    public static String pointerOf(JsonMappingException e) {
        return Validator.pointerOf(e.getPath());
    }
}
