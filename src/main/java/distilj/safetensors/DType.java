package distilj.safetensors;

/**
 * The element types a safetensors header may name, with their size in bytes. Only the float types can be turned into
 * float32 weights; the integer ones appear as buffers (e.g. BERT's {@code embeddings.position_ids}, I64) and are
 * recognised so that they can be skipped.
 */
public enum DType {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1),
    I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4),
    I64(8), U64(8), F64(8);

    public final int bytes;

    /** Types newer safetensors versions know (sub-byte floats, complex) that distilj refuses, with a clear message. */
    public static final java.util.Set<String> OTHER_KNOWN =
            java.util.Set.of("F4", "F6_E2M3", "F6_E3M2", "F8_E8M0", "E8M0", "C64", "F8_E4M3FNUZ", "F8_E5M2FNUZ");

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Whether {@link SafeTensors#readFloat32} converts this type. */
    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /** The type with this exact header spelling, or null. */
    public static DType parse(String s) {
        for (DType d : values()) if (d.name().equals(s)) return d;
        return null;
    }
}
