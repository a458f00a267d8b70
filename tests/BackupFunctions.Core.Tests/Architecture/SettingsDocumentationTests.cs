using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using BackupFunctions.Core.Backups;

namespace BackupFunctions.Core.Tests.Architecture;

/// <summary>
/// Every setting the engine binds is listed in local.settings.sample.json and in the settings table of docs/configuration.md, so an
/// operator never has to read code to find one. Settings are the public settable properties of each options class
/// (a type with a <c>SectionName</c> constant), nested classes giving deeper sections.
/// </summary>
public sealed class SettingsDocumentationTests
{
    public static TheoryData<string> EngineSettings()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(BackupRunner).Assembly.GetExportedTypes())
        {
            if (type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field)
            {
                foreach (var name in SettingNames((string)field.GetRawConstantValue()!, type))
                    data.Add(name);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EngineSettings))]
    public void The_sample_settings_list_it(string setting)
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "local.settings.sample.json")));
        Assert.True(sample.RootElement.GetProperty("Values").TryGetProperty(setting, out _),
            $"local.settings.sample.json has no \"{setting}\".");
    }

    [Theory]
    [MemberData(nameof(EngineSettings))]
    public void The_settings_page_documents_it(string setting)
    {
        var page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "configuration.md"));
        Assert.True(page.Contains($"`{setting}`", StringComparison.Ordinal), $"docs/configuration.md does not mention `{setting}`.");
    }

    private static IEnumerable<string> SettingNames(string prefix, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true })
                continue;
            var name = prefix + "__" + property.Name;
            var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (valueType.IsPrimitive || valueType.IsEnum || valueType == typeof(string) || valueType == typeof(TimeSpan)
                || valueType == typeof(decimal) || valueType == typeof(Uri))
                yield return name;
            else if (valueType.IsClass && !typeof(System.Collections.IEnumerable).IsAssignableFrom(valueType))
            {
                foreach (var nested in SettingNames(name, valueType))
                    yield return nested;
            }
        }
    }

    private static string RepositoryRoot([CallerFilePath] string thisFile = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}
