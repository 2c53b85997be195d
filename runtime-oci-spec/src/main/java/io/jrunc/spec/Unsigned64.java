package io.jrunc.spec;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.math.BigInteger;

/**
 * Marks a {@code Long} component that holds a Go {@code uint64}.
 *
 * <p>Values above {@link Long#MAX_VALUE} occur in real configs (e.g. {@code RLIM_INFINITY},
 * 18446744073709551615, in rlimits; large seccomp argument masks). They are kept as the same
 * 64-bit two's-complement pattern: read them with {@link Long#toUnsignedString(long)} /
 * {@link Long#compareUnsigned(long, long)}. They are written back as the unsigned decimal, so a
 * config round-trips unchanged. Negative JSON numbers are rejected, as Go's decoder does.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@JacksonAnnotationsInside
@JsonSerialize(using = Unsigned64.Writer.class)
@JsonDeserialize(using = Unsigned64.Reader.class)
public @interface Unsigned64 {

    /** 2^64 - 1, the largest uint64. */
    BigInteger MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** Writes the long as an unsigned decimal. */
    final class Writer extends StdScalarSerializer<Long> {
        public Writer() {
            super(Long.class);
        }

        @Override
        public void serialize(Long value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value >= 0) {
                gen.writeNumber(value);
            } else {
                gen.writeNumber(Long.toUnsignedString(value));
            }
        }
    }

    /** Reads an integer in [0, 2^64-1] into a long bit pattern. */
    final class Reader extends StdScalarDeserializer<Long> {
        public Reader() {
            super(Long.class);
        }

        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                return (Long) ctxt.handleUnexpectedToken(Long.class, p);
            }
            if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                long v = p.getLongValue();
                if (v < 0) {
                    return (Long) ctxt.handleWeirdNumberValue(Long.class, v, "must be an unsigned 64-bit integer");
                }
                return v;
            }
            BigInteger big = p.getBigIntegerValue();
            if (big.signum() < 0 || big.compareTo(MAX) > 0) {
                return (Long) ctxt.handleWeirdNumberValue(Long.class, big, "out of range of an unsigned 64-bit integer");
            }
            return big.longValue();
        }
    }
}
