using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;

namespace BackupFunctions.Tests.Deployment;

/// <summary>
/// What infra/bicep/main.bicep would deploy, worked out offline: the template compiled and evaluated by the Bicep CLI's
/// <c>bicep snapshot</c> (Microsoft's deployment engine, with the given parameters and placeholder subscription,
/// tenant and resource group), leaving only runtime values, which <see cref="ArmExpression"/> and
/// <see cref="AzurePlaceholders"/> resolve the way Azure would. No Azure access.
/// </summary>
internal sealed class BicepDeployment
{
    public const string SubscriptionId = "00000000-0000-0000-0000-0000000000a1";
    public const string TenantId = "00000000-0000-0000-0000-0000000000b2";
    public const string ResourceGroup = "rg-backupfn-test";
    public const string Location = "westeurope";

    public static readonly string ResourceGroupId = $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}";

    private const string RoleAssignmentsSegment = "/providers/Microsoft.Authorization/roleAssignments/";

    private readonly IReadOnlyDictionary<string, object> _parameters;

    private BicepDeployment(IReadOnlyList<JsonObject> resources, IReadOnlyDictionary<string, object> parameters, IReadOnlyDictionary<string, JsonObject>? existing)
    {
        Resources = resources;
        _parameters = parameters;
        Placeholders = new AzurePlaceholders(
            resources
                .Where(r => r["id"]?.GetValue<string>() is { } id && !id.StartsWith('['))
                .ToDictionary(r => r["id"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase),
            new Dictionary<string, JsonObject>(existing ?? new Dictionary<string, JsonObject>(), StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Every resource the deployment creates (modules expanded), as the snapshot predicts it.</summary>
    public IReadOnlyList<JsonObject> Resources { get; }

    public AzurePlaceholders Placeholders { get; }

    /// <summary>
    /// Compiles and evaluates main.bicep with these parameters (strings, bools, string arrays, string maps).
    /// <paramref name="existing"/>: properties of resources the template reads but does not create (by resource id).
    /// </summary>
    public static async Task<BicepDeployment> SnapshotAsync(IReadOnlyDictionary<string, object> parameters, IReadOnlyDictionary<string, JsonObject>? existing = null)
    {
        var bicepFolder = Path.Combine(RepositoryRoot(), "infra", "bicep");
        var bicep = (await RunAsync("bash", [Path.Combine(bicepFolder, "bicep-cli.sh")], bicepFolder)).Trim();

        // A copy, so the snapshot file is not written into the repository.
        var work = Directory.CreateTempSubdirectory("bf-bicep-");
        try
        {
            File.Copy(Path.Combine(bicepFolder, "main.bicep"), Path.Combine(work.FullName, "main.bicep"));
            File.Copy(Path.Combine(bicepFolder, "bicepconfig.json"), Path.Combine(work.FullName, "bicepconfig.json"));
            Directory.CreateDirectory(Path.Combine(work.FullName, "modules"));
            foreach (var module in Directory.GetFiles(Path.Combine(bicepFolder, "modules"), "*.bicep"))
                File.Copy(module, Path.Combine(work.FullName, "modules", Path.GetFileName(module)));
            // The monitoring module loads its queries and workbook from here (loadTextContent).
            CopyFolder(Path.Combine(bicepFolder, "monitoring"), Path.Combine(work.FullName, "monitoring"));

            var paramFile = Path.Combine(work.FullName, "deploy.bicepparam");
            var text = new StringBuilder("using 'main.bicep'\n");
            foreach (var (name, value) in parameters)
                text.Append(CultureInfo.InvariantCulture, $"param {name} = {BicepLiteral(value)}\n");
            await File.WriteAllTextAsync(paramFile, text.ToString());

            await RunAsync(bicep, [
                "snapshot", paramFile, "--mode", "overwrite",
                "--subscription-id", SubscriptionId, "--tenant-id", TenantId,
                "--resource-group", ResourceGroup, "--location", Location, "--deployment-name", "main",
            ], work.FullName);

            var snapshot = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(work.FullName, "deploy.snapshot.json")))!.AsObject();
            if (snapshot["diagnostics"] is JsonArray { Count: > 0 } diagnostics)
                throw new InvalidOperationException($"bicep snapshot reported: {diagnostics.ToJsonString()}");
            var resources = snapshot["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList();
            return new BicepDeployment(resources, parameters, existing);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The one resource of this type and name (name as in the snapshot, e.g. <c>vault/key</c>).</summary>
    public JsonObject Single(string type, Func<JsonObject, bool>? where = null)
    {
        var matches = Resources.Where(r => Is(r, type) && (where is null || where(r))).ToList();
        var resource = matches.Count == 1
            ? matches[0]
            : throw new InvalidOperationException($"The deployment has {matches.Count} resources of type {type}, not one.");
        if (resource.ContainsKey("condition"))
            throw new UnresolvedExpressionException($"{type} '{resource["name"]}' is deployed only if {resource["condition"]}, which the snapshot could not decide.");
        return resource;
    }

    /// <summary>
    /// The app settings of the function app, as Azure applies them: the site's <c>siteConfig.appSettings</c>, replaced
    /// whole by a <c>sites/config</c> <c>appsettings</c> resource when there is one (it deploys after the site), every
    /// value resolved.
    /// </summary>
    public IReadOnlyDictionary<string, string> AppSettings()
    {
        var site = Single("Microsoft.Web/sites");
        var siteName = site["name"]!.GetValue<string>();
        var configs = Resources.Where(r => Is(r, "Microsoft.Web/sites/config")
            && string.Equals(r["name"]?.GetValue<string>(), siteName + "/appsettings", StringComparison.OrdinalIgnoreCase)).ToList();

        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (configs.Count > 0)
        {
            var config = Single("Microsoft.Web/sites/config", r => configs.Contains(r));
            var properties = ArmExpression.ResolveValue(config["properties"], Placeholders) as JsonObject
                ?? throw new UnresolvedExpressionException("The appsettings resource's properties are not an object.");
            foreach (var (name, value) in properties)
                settings.Add(name, ArmExpression.ResolveString(value, Placeholders, name));
        }
        else if (ArmExpression.ResolveValue(site["properties"]?["siteConfig"]?["appSettings"], Placeholders) is JsonArray list)
        {
            foreach (var item in list)
            {
                var name = ArmExpression.ResolveString(item?["name"], Placeholders, "app setting name");
                settings.Add(name, ArmExpression.ResolveString(item?["value"], Placeholders, name));
            }
        }
        return settings;
    }

    /// <summary>The value a Key Vault secret of the deployment gets: the secure parameter it is set from.</summary>
    public string SecretValue(string vaultName, string secretName)
    {
        var secret = Single("Microsoft.KeyVault/vaults/secrets",
            r => string.Equals(r["name"]?.GetValue<string>(), $"{vaultName}/{secretName}", StringComparison.OrdinalIgnoreCase));
        // The snapshot never writes out secure values: the secret's value stays [parameters('name')], which must name a
        // parameter of main.bicep that this test set (a module parameter passed on under the same name).
        var value = secret["properties"]?["value"]?.GetValue<string>() ?? "";
        const string Prefix = "[parameters('", Suffix = "')]";
        if (!(value.StartsWith(Prefix, StringComparison.Ordinal) && value.EndsWith(Suffix, StringComparison.Ordinal)))
            throw new UnresolvedExpressionException($"Secret {vaultName}/{secretName} has the value '{value}', not a secure parameter.");
        var parameter = value[Prefix.Length..^Suffix.Length];
        return _parameters.TryGetValue(parameter, out var given) && given is string text
            ? text
            : throw new UnresolvedExpressionException($"Secret {vaultName}/{secretName} is set from parameter '{parameter}', which the test did not give.");
    }

    /// <summary>Every role assignment: scope, principal and role definition (the GUID), resolved.</summary>
    public IReadOnlyList<(string Scope, string PrincipalId, string RoleId)> RoleAssignments()
    {
        var assignments = new List<(string, string, string)>();
        foreach (var assignment in Resources.Where(r => Is(r, "Microsoft.Authorization/roleAssignments")))
        {
            if (assignment.ContainsKey("condition"))
                throw new UnresolvedExpressionException($"Role assignment {assignment["id"]} has an undecided condition {assignment["condition"]}.");
            var id = ArmExpression.ResolveString(assignment["id"], Placeholders, "role assignment id");
            var at = id.LastIndexOf(RoleAssignmentsSegment, StringComparison.OrdinalIgnoreCase);
            var scope = at > 0 ? id[..at] : throw new UnresolvedExpressionException($"'{id}' is not a role assignment id.");
            var principal = ArmExpression.ResolveString(assignment["properties"]?["principalId"], Placeholders, "principalId");
            var role = ArmExpression.ResolveString(assignment["properties"]?["roleDefinitionId"], Placeholders, "roleDefinitionId");
            assignments.Add((scope, principal, role[(role.LastIndexOf('/') + 1)..]));
        }
        return assignments;
    }

    /// <summary>
    /// The data actions a principal holds on a resource: from role assignments at the resource or any scope above it,
    /// each role either defined by the deployment or a built-in one the test knows (<see cref="BuiltInRoles"/>).
    /// </summary>
    public IReadOnlySet<string> DataActionsOn(string resourceId, string principalId)
    {
        var actions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (scope, principal, role) in RoleAssignments())
        {
            if (principal != principalId
                || !(resourceId.Equals(scope, StringComparison.OrdinalIgnoreCase) || resourceId.StartsWith(scope + "/", StringComparison.OrdinalIgnoreCase)))
                continue;
            actions.UnionWith(RoleDataActions(role));
        }
        return actions;
    }

    private IEnumerable<string> RoleDataActions(string roleId)
    {
        var custom = Resources.Where(r => Is(r, "Microsoft.Authorization/roleDefinitions")
            && string.Equals(r["name"]?.GetValue<string>(), roleId, StringComparison.OrdinalIgnoreCase)).ToList();
        if (custom.Count == 0)
            return BuiltInRoles.DataActions(roleId);
        var permissions = Single("Microsoft.Authorization/roleDefinitions", r => custom.Contains(r))["properties"]!["permissions"]!.AsArray();
        if (permissions.Any(p => p?["notDataActions"] is JsonArray { Count: > 0 }))
            throw new UnresolvedExpressionException($"Custom role {roleId} has notDataActions, which the test does not evaluate.");
        return permissions.SelectMany(p => p?["dataActions"]?.AsArray() ?? []).Select(a => a!.GetValue<string>());
    }

    private static bool Is(JsonObject resource, string type)
        => string.Equals(resource["type"]?.GetValue<string>(), type, StringComparison.OrdinalIgnoreCase);

    private static string BicepLiteral(object value) => value switch
    {
        string text => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'",
        bool flag => flag ? "true" : "false",
        IEnumerable<KeyValuePair<string, string>> map => "{\n" + string.Concat(map.Select(p => $"  '{p.Key}': {BicepLiteral(p.Value)}\n")) + "}",
        IEnumerable<string> items => "[\n" + string.Concat(items.Select(i => "  " + BicepLiteral(i) + "\n")) + "]",
        _ => throw new ArgumentException($"No Bicep literal for {value.GetType()}.", nameof(value)),
    };

    /// <summary>Runs a program (bicep, bash) in a folder and returns its output; throws with its errors when it fails or takes over 5 minutes.</summary>
    internal static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string folder)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in 5 minutes.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await errors}\n{await output}");
        return await output;
    }

    internal static string RepositoryRoot([CallerFilePath] string thisFile = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var folder in Directory.GetDirectories(from))
            CopyFolder(folder, Path.Combine(to, Path.GetFileName(folder)));
    }
}
