using System.Text.Json;
using System.Text.Json.Serialization;

namespace TokenProxy.Providers;

/// <summary>Reads a preset's <see cref="OneOrListAttribute"/> setting written as one string or as an array of strings.</summary>
internal sealed class OneOrListJsonConverter : JsonConverter<string[]>
{
    public override string[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? [reader.GetString()!] : JsonSerializer.Deserialize<string[]>(ref reader, options);

    public override void Write(Utf8JsonWriter writer, string[] value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, options);
}
