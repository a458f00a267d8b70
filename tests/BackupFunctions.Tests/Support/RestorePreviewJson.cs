using System.Net.Http.Json;
using System.Text.Json;

namespace BackupFunctions.Tests.Support;

/// <summary>Asks the API for a restore's dry run and reads its answer.</summary>
public static class RestorePreviewJson
{
    /// <summary>POSTs a dry run of restoring <paramref name="backupId"/> with no other option, asserts success and returns the preview.</summary>
    public static async Task<JsonElement> PreviewAsync(HttpClient http, string backupId)
    {
        using var response = await http.PostAsJsonAsync($"api/backups/{backupId}/restore", new { dryRun = true });
        var preview = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, preview.ToString());
        return preview;
    }

    /// <summary>The paths a group of the files preview lists (create, overwrite, delete, unchanged, skipped), in ordinal order.</summary>
    public static List<string> Paths(JsonElement files, string group)
        => [.. files.GetProperty(group).GetProperty("paths").EnumerateArray().Select(p => p.GetString()!).Order(StringComparer.Ordinal)];
}
