using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace BackupFunctions.Tests.Deployment;

/// <summary>
/// What <c>reference()</c> returns for a resource of the deployment, in the shape Azure returns it: the runtime
/// properties a template may read (endpoints, URIs, connection strings, the managed identity's object id), with
/// placeholder values built the way Azure builds them (public cloud). Only the properties listed here exist; reading
/// any other one, or a resource that is not in the deployment, fails the test (see <see cref="ArmExpression"/>).
/// </summary>
internal sealed class AzurePlaceholders(IReadOnlyDictionary<string, JsonObject> resourcesById, IReadOnlyDictionary<string, JsonObject> existing)
{
    private const string ProvidersSegment = "/providers/";

    /// <summary>The object id the placeholder gives the managed identity of a resource.</summary>
    public static string PrincipalIdOf(string resourceId) => StableGuid("principal", resourceId);

    /// <summary><c>reference(id)</c> (the resource's properties) or <c>reference(id, api, 'full')</c> (the whole resource).</summary>
    public JsonObject Reference(string resourceId, bool full)
    {
        // A resource the template only reads (`existing`, e.g. a subnet the operator made): its properties as the test gave them.
        if (!full && existing.TryGetValue(resourceId, out var given))
            return given.DeepClone().AsObject();
        if (!resourcesById.TryGetValue(resourceId, out var resource))
            throw new UnresolvedExpressionException($"reference() to '{resourceId}', which the deployment does not create.");
        var (type, names) = Parse(resourceId);
        var location = resource["location"]?.GetValue<string>() ?? "westeurope";

        JsonObject properties = type switch
        {
            "Microsoft.Storage/storageAccounts" => new JsonObject
            {
                ["primaryEndpoints"] = new JsonObject
                {
                    ["blob"] = $"https://{names[0]}.blob.core.windows.net/",
                    ["queue"] = $"https://{names[0]}.queue.core.windows.net/",
                    ["table"] = $"https://{names[0]}.table.core.windows.net/",
                    ["file"] = $"https://{names[0]}.file.core.windows.net/",
                    ["dfs"] = $"https://{names[0]}.dfs.core.windows.net/",
                    ["web"] = $"https://{names[0]}.z6.web.core.windows.net/",
                },
            },
            "Microsoft.Insights/components" => new JsonObject
            {
                ["InstrumentationKey"] = StableGuid("ikey", resourceId),
                ["ConnectionString"] = $"InstrumentationKey={StableGuid("ikey", resourceId)};"
                    + $"IngestionEndpoint=https://{location}-5.in.applicationinsights.azure.com/;"
                    + $"LiveEndpoint=https://{location}.livediagnostics.monitor.azure.com/;ApplicationId={StableGuid("app", resourceId)}",
            },
            "Microsoft.KeyVault/vaults" => new JsonObject { ["vaultUri"] = $"https://{names[0]}.vault.azure.net/" },
            "Microsoft.KeyVault/vaults/keys" => new JsonObject
            {
                ["keyUri"] = $"https://{names[0]}.vault.azure.net/keys/{names[1]}",
                ["keyUriWithVersion"] = $"https://{names[0]}.vault.azure.net/keys/{names[1]}/{Version(resourceId)}",
            },
            "Microsoft.KeyVault/vaults/secrets" => new JsonObject
            {
                ["secretUri"] = $"https://{names[0]}.vault.azure.net/secrets/{names[1]}",
                ["secretUriWithVersion"] = $"https://{names[0]}.vault.azure.net/secrets/{names[1]}/{Version(resourceId)}",
            },
            "Microsoft.Web/sites" => new JsonObject { ["defaultHostName"] = $"{names[0]}.azurewebsites.net" },
            "Microsoft.ManagedIdentity/userAssignedIdentities" => new JsonObject
            {
                ["principalId"] = PrincipalIdOf(resourceId),
                ["clientId"] = StableGuid("client", resourceId),
                ["tenantId"] = StableGuid("tenant", ""),
            },
            "Microsoft.ContainerRegistry/registries" => new JsonObject { ["loginServer"] = $"{names[0]}.azurecr.io" },
            _ => throw new UnresolvedExpressionException($"reference() to a {type}: the test has no placeholder values for that resource type."),
        };
        if (!full)
            return properties;

        var whole = new JsonObject { ["id"] = resourceId, ["properties"] = properties };
        if (resource["identity"]?["type"]?.GetValue<string>() is { } identityType && identityType.Contains("SystemAssigned", StringComparison.Ordinal))
        {
            whole["identity"] = new JsonObject
            {
                ["type"] = identityType,
                ["principalId"] = PrincipalIdOf(resourceId),
                ["tenantId"] = StableGuid("tenant", ""),
            };
        }
        return whole;
    }

    /// <summary>(type, names) of a resource id: <c>/subscriptions/s/resourceGroups/g/providers/Ns/t1/n1/t2/n2</c> → (Ns/t1/t2, [n1, n2]).</summary>
    public static (string Type, IReadOnlyList<string> Names) Parse(string resourceId)
    {
        var at = resourceId.LastIndexOf(ProvidersSegment, StringComparison.OrdinalIgnoreCase);
        var parts = at < 0 ? [] : resourceId[(at + ProvidersSegment.Length)..].Split('/');
        if (parts.Length < 3 || parts.Length % 2 == 0)
            throw new UnresolvedExpressionException($"'{resourceId}' is not a resource id.");
        var type = new StringBuilder(parts[0]);
        var names = new List<string>();
        for (var i = 1; i < parts.Length; i += 2)
        {
            type.Append('/').Append(parts[i]);
            names.Add(parts[i + 1]);
        }
        return (type.ToString(), names);
    }

    private static string Version(string resourceId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(resourceId)).AsSpan(0, 16));

    private static string StableGuid(string purpose, string resourceId)
        => new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(purpose + "\n" + resourceId)).AsSpan(0, 16)).ToString();
}
