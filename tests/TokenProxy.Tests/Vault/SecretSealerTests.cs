using TokenProxy.Vault;

namespace TokenProxy.Tests.Vault;

public sealed class SecretSealerTests
{
    private readonly VaultKeyRing _ring = new();
    private readonly SecretSealer _sealer;

    public SecretSealerTests()
    {
        _ring.Load([VaultKey.Generate()], "test");
        _sealer = new SecretSealer(_ring);
    }

    [Fact]
    public void Sealed_value_opens_for_the_same_connection_and_field()
    {
        var sealedText = _sealer.Seal("conn_a", SecretSealer.AccessTokenField, "gho_secret");

        Assert.StartsWith(_ring.Active.Id + ":", sealedText, StringComparison.Ordinal);
        Assert.DoesNotContain("gho_secret", sealedText, StringComparison.Ordinal);
        Assert.True(_sealer.TryOpen("conn_a", SecretSealer.AccessTokenField, sealedText, out var plain));
        Assert.Equal("gho_secret", plain);
    }

    [Fact]
    public void Sealing_twice_gives_different_ciphertexts()
    {
        Assert.NotEqual(
            _sealer.Seal("conn_a", SecretSealer.AccessTokenField, "same"),
            _sealer.Seal("conn_a", SecretSealer.AccessTokenField, "same"));
    }

    [Fact]
    public void Ciphertext_moved_to_another_connection_or_field_does_not_open()
    {
        var sealedText = _sealer.Seal("conn_a", SecretSealer.RefreshTokenField, "refresh");

        Assert.False(_sealer.TryOpen("conn_b", SecretSealer.RefreshTokenField, sealedText, out _));
        Assert.False(_sealer.TryOpen("conn_a", SecretSealer.AccessTokenField, sealedText, out _));
    }

    [Fact]
    public void Any_flipped_bit_or_truncation_fails_closed()
    {
        var sealedText = _sealer.Seal("conn_a", SecretSealer.AccessTokenField, "a-token-value");
        var colon = sealedText.IndexOf(':', StringComparison.Ordinal);
        var blob = Convert.FromBase64String(sealedText[(colon + 1)..]);

        for (var bit = 0; bit < blob.Length * 8; bit++)
        {
            var tampered = (byte[])blob.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(_sealer.TryOpen("conn_a", SecretSealer.AccessTokenField, sealedText[..(colon + 1)] + Convert.ToBase64String(tampered), out _));
        }

        for (var length = 0; length < blob.Length; length++)
        {
            Assert.False(_sealer.TryOpen("conn_a", SecretSealer.AccessTokenField, sealedText[..(colon + 1)] + Convert.ToBase64String(blob, 0, length), out _));
        }
    }

    [Fact]
    public void Value_sealed_under_an_unknown_key_does_not_open()
    {
        var other = SecretSealer.Seal(VaultKey.Generate(), "conn_a", SecretSealer.AccessTokenField, "x");

        Assert.False(_sealer.TryOpen("conn_a", SecretSealer.AccessTokenField, other, out _));
        Assert.False(_sealer.TryOpen("conn_a", SecretSealer.AccessTokenField, "garbage-without-key-id", out _));
    }
}
