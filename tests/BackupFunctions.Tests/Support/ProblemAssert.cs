using System.Net;
using System.Text.Json;

namespace BackupFunctions.Tests.Support;

/// <summary>The API's refusal of a request: a problem document (by default a <c>400</c>) that names the field.</summary>
public static class ProblemAssert
{
    /// <summary>Asserts the refusal and returns the messages given for <paramref name="field"/> (at least one).</summary>
    public static async Task<JsonElement> NamesFieldAsync(HttpResponseMessage response, string field, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages) && messages.GetArrayLength() > 0, $"expected an error for '{field}': {body}");
        return messages.Clone();
    }
}
