using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Catalog;

/// <summary>How the catalog writes nested parts (config, statistics, locations) into JSON string columns.</summary>
internal static class CatalogJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
