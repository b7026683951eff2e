using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cocktail.Web.Hosting;

public static class JsonDefaults
{
    public static void Apply(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        // Wrong types and unknown enum names are answered with a field error, never bound to a default.
        options.NumberHandling = JsonNumberHandling.Strict;
        options.MaxDepth = 32;
    }
}
