using System.Text.Json;
using System.Text.Json.Serialization;
using TokenProxy.Providers;

namespace TokenProxy.Vault;

/// <summary>
/// A connection's credential kind in a vault export: written by name, as the admin API shows it (<c>"apikey"</c>), since
/// a number is only the member's position in the enum. Read by name, or as a number from files written before names.
/// A name or number this version does not know reads as an undefined value, which the import refuses in words.
/// </summary>
internal sealed class CredentialKindJsonConverter : JsonConverter<CredentialKind>
{
    /// <summary>What a name this version does not know reads as: no member has it.</summary>
    public const CredentialKind Unknown = (CredentialKind)(-1);

    public override CredentialKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => CredentialKindNames.TryParse(reader.GetString(), out var kind) ? kind : Unknown,
        JsonTokenType.Number when reader.TryGetInt32(out var number) => (CredentialKind)number,
        _ => throw new JsonException(),
    };

    public override void Write(Utf8JsonWriter writer, CredentialKind value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToWire());
}
