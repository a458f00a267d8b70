using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace BackupFunctions.LocalHost;

/// <summary>
/// Reads the <c>Values</c> of a local.settings.json the way func start does: each value becomes a setting, with
/// <c>__</c> in names meaning a section separator (so <c>Catalog__ConnectionString</c> is <c>Catalog:ConnectionString</c>).
/// </summary>
public static class LocalSettings
{
    public static IConfigurationBuilder AddLocalSettingsFile(this IConfigurationBuilder builder, string path)
    {
        if (!File.Exists(path))
            return builder;
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        if (!document.RootElement.TryGetProperty("Values", out var values))
            return builder;
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in values.EnumerateObject())
            settings[property.Name.Replace("__", ":", StringComparison.Ordinal)] = property.Value.ToString();
        return builder.AddInMemoryCollection(settings);
    }
}
