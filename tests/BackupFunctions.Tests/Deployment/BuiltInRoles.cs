namespace BackupFunctions.Tests.Deployment;

/// <summary>
/// The data actions of the built-in Azure roles the template assigns (ids and data actions as Microsoft publishes
/// them). A role not listed here fails the test: its rights must be looked up before the test can vouch for them.
/// </summary>
internal static class BuiltInRoles
{
    private static readonly Dictionary<string, string[]> Roles = new(StringComparer.OrdinalIgnoreCase)
    {
        // Storage Blob Data Owner
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"],
        // Storage Queue Data Contributor
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] =
        [
            "Microsoft.Storage/storageAccounts/queueServices/queues/messages/read",
            "Microsoft.Storage/storageAccounts/queueServices/queues/messages/write",
            "Microsoft.Storage/storageAccounts/queueServices/queues/messages/delete",
            "Microsoft.Storage/storageAccounts/queueServices/queues/messages/add/action",
            "Microsoft.Storage/storageAccounts/queueServices/queues/messages/process/action",
        ],
        // Storage Table Data Contributor
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] =
        [
            "Microsoft.Storage/storageAccounts/tableServices/tables/entities/read",
            "Microsoft.Storage/storageAccounts/tableServices/tables/entities/write",
            "Microsoft.Storage/storageAccounts/tableServices/tables/entities/delete",
            "Microsoft.Storage/storageAccounts/tableServices/tables/entities/add/action",
            "Microsoft.Storage/storageAccounts/tableServices/tables/entities/update/action",
        ],
        // Monitoring Metrics Publisher
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = ["Microsoft.Insights/Metrics/Write", "Microsoft.Insights/Telemetry/Write"],
        // Key Vault Secrets User
        ["4633458b-17de-408a-b874-0445c86b69e6"] =
        [
            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        ],
    };

    public static IReadOnlyList<string> DataActions(string roleId)
        => Roles.TryGetValue(roleId, out var actions)
            ? actions
            : throw new UnresolvedExpressionException($"Role definition {roleId} is neither defined by the deployment nor a built-in role the test knows.");

    /// <summary>Whether the data actions (which may end in <c>/*</c>) grant this one.</summary>
    public static bool Grants(IEnumerable<string> dataActions, string action)
        => dataActions.Any(granted => granted == "*"
            || granted.Equals(action, StringComparison.OrdinalIgnoreCase)
            || (granted.EndsWith("/*", StringComparison.Ordinal) && action.StartsWith(granted[..^1], StringComparison.OrdinalIgnoreCase)));
}
