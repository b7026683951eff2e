using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cocktail.Infrastructure.Inventory;

internal static class InventoryJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };
}
