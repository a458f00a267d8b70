using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Secrets;
using BackupFunctions.Core.Verification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Tests.Deployment;

/// <summary>
/// The app starts with the settings it is deployed with: infra/bicep/main.bicep is compiled and evaluated offline
/// (<see cref="BicepDeployment"/>), the function app's settings are taken as Azure would apply them (runtime values as
/// placeholders, Key Vault references resolved to the secrets the deployment stores, only where the app's identity may
/// read them), and the app's own composition (<see cref="BackupFunctionsApp"/>, as Program.cs builds it) runs its
/// start-up validation over them. Also checks who holds which rights on the key-encryption key.
/// </summary>
public sealed class DeployedSettingsTests(DefaultDeploymentFixture defaults) : IClassFixture<DefaultDeploymentFixture>
{
    private const string KeysRead = "Microsoft.KeyVault/vaults/keys/read";
    private const string KeysUnwrap = "Microsoft.KeyVault/vaults/keys/unwrap/action";

    /// <summary>Settings the Functions platform (not the app) reads; the app's own are all in local.settings.sample.json.</summary>
    private static readonly string[] PlatformSettings =
        ["AzureWebJobsStorage__accountName", "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
         "FUNCTIONS_EXTENSION_VERSION", "WEBSITES_ENABLE_APP_SERVICE_STORAGE"];

    /// <summary>
    /// Never deployed: a package would run something else than the image, and the content share and a storage connection
    /// string need the account key, which is off.
    /// </summary>
    private static readonly string[] NeverDeployed =
        ["WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "AzureWebJobsStorage"];

    private const string EndpointsSubnetId =
        "/subscriptions/00000000-0000-0000-0000-00000000000e/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-backup/subnets/snet-endpoints";

    private const string IntegrationSubnetId =
        "/subscriptions/00000000-0000-0000-0000-00000000000e/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-backup/subnets/snet-app";

    private const string CmsZoneId =
        "/subscriptions/00000000-0000-0000-0000-00000000000c/resourceGroups/rg-cms/providers/Microsoft.Network/privateDnsZones/privatelink.postgres.database.azure.com";

    [Fact]
    public void The_app_starts_with_the_settings_of_the_default_deployment()
    {
        using var app = DeployedApp.Start(defaults.Deployment);

        var keys = app.Services.GetRequiredService<IOptions<KeyOptions>>().Value;
        Assert.Equal($"https://{defaults.VaultName}.vault.azure.net/keys/backup-kek", keys.KeyVaultKeyUrl);
        Assert.Equal("", keys.LocalKeyFile);
        Assert.Equal("", keys.PassphraseSetting);
        Assert.IsType<KeyVaultKek>(app.Services.GetRequiredService<IKeyEncryptionKey>());
        // The transit key comes out of Key Vault: the backup steps never need to unwrap.
        Assert.Equal(defaults.TransitKey, keys.TransitKey);
        Assert.NotNull(app.Services.GetService<DataKeyTransit>());
        Assert.Equal("", app.Services.GetRequiredService<IOptions<SecretOptions>>().Value.SealingKey);
    }

    [Fact]
    public void The_app_identity_may_read_the_key_but_not_unwrap_and_deep_verification_is_off()
    {
        var principal = defaults.AppPrincipalId;

        Assert.Equal([KeysRead], defaults.Deployment.DataActionsOn(defaults.KeyId, principal).Order());
        Assert.False(BuiltInRoles.Grants(defaults.Deployment.DataActionsOn(defaults.KeyId, principal), KeysUnwrap));
        // Nobody but the app has any role on the key by default (operators get one through restorePrincipalIds).
        Assert.All(defaults.Deployment.RoleAssignments().Where(a => defaults.KeyId.StartsWith(a.Scope, StringComparison.OrdinalIgnoreCase)),
            a => Assert.Equal(principal, a.PrincipalId));

        // Deep verification must unwrap; with a wrap-only identity every scheduled run would fail, so it is off.
        using var app = DeployedApp.Start(defaults.Deployment);
        var verification = app.Services.GetRequiredService<IOptions<VerificationOptions>>().Value;
        Assert.Equal("", verification.DeepSchedule);
        Assert.False(verification.IsDeepRunDue(new DateTimeOffset(2025, 3, 10, 3, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void The_key_is_RSA_3072_in_a_vault_with_RBAC_soft_delete_and_purge_protection()
    {
        var vault = defaults.Deployment.Single("Microsoft.KeyVault/vaults")["properties"]!;
        Assert.True(vault["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.True(vault["enableSoftDelete"]!.GetValue<bool>());
        Assert.True(vault["enablePurgeProtection"]!.GetValue<bool>());

        var key = defaults.Deployment.Single("Microsoft.KeyVault/vaults/keys")["properties"]!;
        Assert.Equal("RSA", key["kty"]!.GetValue<string>());
        Assert.Equal(3072, key["keySize"]!.GetValue<int>());
        // KeyVaultKek refuses a key whose key_ops do not allow unwrapKey: backups wrapped with it could not be restored.
        Assert.Contains("unwrapKey", key["keyOps"]!.AsArray().Select(op => op!.GetValue<string>()));
    }

    [Fact]
    public void Every_deployed_setting_is_one_the_app_or_the_Functions_platform_reads()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(BicepDeployment.RepositoryRoot(), "local.settings.sample.json")));
        var known = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).Concat(PlatformSettings).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var settings = defaults.Deployment.AppSettings();

        Assert.All(settings.Keys, name => Assert.True(known.Contains(name), $"The deployment sets {name}, which nothing reads (a typo?)."));
        Assert.All(NeverDeployed, name => Assert.False(settings.ContainsKey(name), $"The deployment sets {name}."));
    }

    [Fact]
    public async Task Every_deployed_setting_has_a_row_in_the_configuration_page()
    {
        var page = File.ReadAllText(Path.Combine(BicepDeployment.RepositoryRoot(), "docs", "configuration.md"));
        var names = defaults.Deployment.AppSettings().Keys.Concat((await PrivateNetworkDeploymentAsync()).AppSettings().Keys).Distinct();

        Assert.All(names, name => Assert.True(page.Contains($"| `{name}` |", StringComparison.Ordinal),
            $"docs/configuration.md has no table row for `{name}`, which the deployment sets."));
    }

    [Fact]
    public async Task The_app_runs_its_image_pulled_with_its_own_identity_and_the_PostgreSQL_client_of_the_Dockerfile()
    {
        var deployment = await BicepDeployment.SnapshotAsync(new Dictionary<string, object> { ["transitKey"] = RandomKey(), ["appImageTag"] = "0123abcd" });

        var site = deployment.Single("Microsoft.Web/sites");
        Assert.Equal("functionapp,linux,container", site["kind"]!.GetValue<string>());
        var siteConfig = site["properties"]!["siteConfig"]!;
        var registry = deployment.Single("Microsoft.ContainerRegistry/registries");
        Assert.False(registry["properties"]!["adminUserEnabled"]!.GetValue<bool>());
        Assert.Equal($"DOCKER|{registry["name"]}.azurecr.io/backupfunctions:0123abcd",
            ArmExpression.ResolveString(siteConfig["linuxFxVersion"], deployment.Placeholders, "linuxFxVersion"));
        Assert.True(siteConfig["acrUseManagedIdentityCreds"]!.GetValue<bool>());
        // The pull identity is the user-assigned one, which holds AcrPull on the registry before the site exists.
        var pullIdentity = deployment.Single("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!.GetValue<string>();
        Assert.Equal(deployment.Placeholders.Reference(pullIdentity, full: false)["clientId"]!.GetValue<string>(),
            ArmExpression.ResolveString(siteConfig["acrUserManagedIdentityID"], deployment.Placeholders, "acrUserManagedIdentityID"));
        Assert.Contains(deployment.RoleAssignments(), a => a.Scope == registry["id"]!.GetValue<string>()
            && a.PrincipalId == AzurePlaceholders.PrincipalIdOf(pullIdentity) && a.RoleId == "7f951dda-4ed3-4680-a7ca-43fe172d538d");

        // The app runs the tools the image installs: the image names their folder, and no app setting overrides it.
        var dockerfile = File.ReadAllText(Path.Combine(BicepDeployment.RepositoryRoot(), "infra", "docker", "Dockerfile"));
        Assert.Matches(@"(?m)^ARG PG_MAJOR=17$", dockerfile);
        Assert.Matches(@"(?m)^\s+Postgres__BinDirectory=/usr/lib/postgresql/\$\{PG_MAJOR\}/bin$", dockerfile);
        Assert.DoesNotContain("Postgres__BinDirectory", deployment.AppSettings().Keys);
        using var app = DeployedApp.Start(deployment);

        // Before the first image build the site runs the public base image, which needs no registry credentials.
        var bootstrap = defaults.Deployment.Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!;
        Assert.Equal("DOCKER|mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0", bootstrap["linuxFxVersion"]!.GetValue<string>());
        Assert.False(bootstrap["acrUseManagedIdentityCreds"]!.GetValue<bool>());
        // Shared keys off: every client of the account signs in with Entra ID.
        Assert.False(defaults.Deployment.Single("Microsoft.Storage/storageAccounts")["properties"]!["allowSharedKeyAccess"]!.GetValue<bool>());
    }

    [Fact]
    public async Task With_private_networking_the_app_starts_and_may_reach_the_endpoints_subnet_only_through_private_endpoints()
    {
        var deployment = await PrivateNetworkDeploymentAsync();

        using var app = DeployedApp.Start(deployment);
        var settings = deployment.AppSettings();
        // The endpoints subnet's prefix, as the existing subnet reports it, then the extra ranges.
        Assert.Equal("10.20.1.0/24,192.168.40.0/24", settings["Network__AllowedRanges"]);

        var site = deployment.Single("Microsoft.Web/sites")["properties"]!;
        Assert.Equal(IntegrationSubnetId, site["virtualNetworkSubnetId"]!.GetValue<string>());
        Assert.True(site["siteConfig"]!["vnetRouteAllEnabled"]!.GetValue<bool>());

        foreach (var type in new[] { "Microsoft.Storage/storageAccounts", "Microsoft.KeyVault/vaults" })
        {
            var properties = deployment.Single(type)["properties"]!;
            Assert.Equal("Disabled", properties["publicNetworkAccess"]!.GetValue<string>());
            Assert.Equal("Deny", properties["networkAcls"]!["defaultAction"]!.GetValue<string>());
        }

        var endpoints = deployment.Resources.Where(r => r["type"]!.GetValue<string>() == "Microsoft.Network/privateEndpoints").ToList();
        Assert.Equal(["blob", "queue", "table", "vault"],
            endpoints.Select(e => e["properties"]!["privateLinkServiceConnections"]![0]!["properties"]!["groupIds"]![0]!.GetValue<string>()).Order());
        Assert.All(endpoints, e => Assert.Equal(EndpointsSubnetId, e["properties"]!["subnet"]!["id"]!.GetValue<string>()));
        Assert.Equal(4, deployment.Resources.Count(r => r["type"]!.GetValue<string>() == "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"));
        Assert.Contains(deployment.Resources, r => r["type"]!.GetValue<string>() == "Microsoft.Network/privateDnsZones" && r["name"]!.GetValue<string>() == "privatelink.vaultcore.azure.net");

        // The CMS database's zone, in the CMS's resource group, linked to the app's VNet.
        var cmsLink = deployment.Single("Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            r => r["id"]!.GetValue<string>().StartsWith(CmsZoneId + "/", StringComparison.Ordinal));
        Assert.Equal(IntegrationSubnetId[..IntegrationSubnetId.IndexOf("/subnets/", StringComparison.Ordinal)],
            cmsLink["properties"]!["virtualNetwork"]!["id"]!.GetValue<string>());
    }

    private static Task<BicepDeployment> PrivateNetworkDeploymentAsync()
        => BicepDeployment.SnapshotAsync(
            new Dictionary<string, object>
            {
                ["transitKey"] = RandomKey(),
                ["appImageTag"] = "0123abcd",
                ["vnetIntegrationSubnetId"] = IntegrationSubnetId,
                ["privateEndpointsSubnetId"] = EndpointsSubnetId,
                ["cmsDatabasePrivateDnsZoneId"] = CmsZoneId,
                ["additionalAllowedRanges"] = new[] { "192.168.40.0/24" },
            },
            new Dictionary<string, JsonObject> { [EndpointsSubnetId] = new JsonObject { ["addressPrefix"] = "10.20.1.0/24" } });

    [Fact]
    public async Task With_restore_rights_and_a_sealing_key_the_app_starts_and_the_rights_are_where_asked()
    {
        var sealingKey = RandomKey();
        var operatorGroup = Guid.NewGuid().ToString();
        var deployment = await BicepDeployment.SnapshotAsync(new Dictionary<string, object>
        {
            ["transitKey"] = RandomKey(),
            ["useSealingKey"] = true,
            ["sealingKey"] = sealingKey,
            ["appCanUnwrap"] = true,
            ["restorePrincipalIds"] = new[] { operatorGroup },
            ["keyVaultSkuName"] = "premium",
        });

        using var app = DeployedApp.Start(deployment);

        Assert.Equal(sealingKey, app.Services.GetRequiredService<IOptions<SecretOptions>>().Value.SealingKey);
        Assert.NotNull(app.Services.GetRequiredService<SecretSealer>());
        Assert.Equal("0 0 3 * * *", app.Services.GetRequiredService<IOptions<VerificationOptions>>().Value.DeepSchedule);
        var keyId = KeyIdOf(deployment);
        Assert.Equal([KeysRead, KeysUnwrap], deployment.DataActionsOn(keyId, app.PrincipalId).Order());
        Assert.Equal([KeysRead, KeysUnwrap], deployment.DataActionsOn(keyId, operatorGroup).Order());
        Assert.Equal("RSA-HSM", deployment.Single("Microsoft.KeyVault/vaults/keys")["properties"]!["kty"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_deployment_that_leaves_the_app_without_a_key_encryption_key_is_caught()
    {
        // What the template deployed before the Key Vault key: no key setting, so start-up validation stops the app.
        var deployment = await BicepDeployment.SnapshotAsync(new Dictionary<string, object>
        {
            ["transitKey"] = RandomKey(),
            ["additionalAppSettings"] = new Dictionary<string, string> { ["Keys__KeyVaultKeyUrl"] = "", ["Keys__LocalKeyFile"] = "" },
        });

        var failure = Record.Exception(() => DeployedApp.Start(deployment).Dispose());

        Assert.NotNull(failure);
        // The host throws the one failure, or all of them together.
        var problems = failure is AggregateException all ? all.InnerExceptions : [failure];
        Assert.Contains(problems, p => p is OptionsValidationException
            && p.Message.Contains("Set exactly one of Keys:LocalKeyFile, Keys:PassphraseSetting and Keys:KeyVaultKeyUrl", StringComparison.Ordinal));
    }

    [Fact]
    public void A_value_the_test_cannot_resolve_fails_it_rather_than_passing()
    {
        var placeholders = defaults.Deployment.Placeholders;
        var storageId = defaults.Deployment.Single("Microsoft.Storage/storageAccounts")["id"]!.GetValue<string>();

        Assert.Equal(JsonValue.Create("[literal"), ArmExpression.ResolveValue(JsonValue.Create("[[literal"), placeholders), JsonNode.DeepEquals);
        Assert.Throws<UnresolvedExpressionException>(() => ArmExpression.Evaluate("parameters('transitKey')", placeholders));
        Assert.Throws<UnresolvedExpressionException>(() => ArmExpression.Evaluate($"reference('{storageId}', '2026-06-01').primaryEndpoints.ftp", placeholders));
        Assert.Throws<UnresolvedExpressionException>(() => ArmExpression.Evaluate($"reference('{storageId}', '2026-06-01').keys", placeholders));
        Assert.Throws<UnresolvedExpressionException>(() => ArmExpression.Evaluate($"reference('{storageId}x', '2026-06-01').primaryEndpoints.blob", placeholders));
        Assert.Throws<UnresolvedExpressionException>(() => ArmExpression.Evaluate($"reference('{storageId}', '2026-06-01'", placeholders));
        // A Key Vault reference to a secret the deployment does not create, or that the app may not read.
        Assert.Throws<UnresolvedExpressionException>(() => KeyVaultReferences.Resolve(defaults.Deployment, "X",
            $"@Microsoft.KeyVault(SecretUri=https://{defaults.VaultName}.vault.azure.net/secrets/other)", defaults.AppPrincipalId));
        Assert.Throws<UnresolvedExpressionException>(() => KeyVaultReferences.Resolve(defaults.Deployment, "X",
            $"@Microsoft.KeyVault(VaultName={defaults.VaultName};SecretName=transit-key)", Guid.NewGuid().ToString()));
    }

    internal static string KeyIdOf(BicepDeployment deployment) => deployment.Single("Microsoft.KeyVault/vaults/keys")["id"]!.GetValue<string>();

    internal static string RandomKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The app's services built from the deployed settings, after start-up validation passed.</summary>
    private sealed class DeployedApp : IDisposable
    {
        private readonly ServiceProvider _provider;

        private DeployedApp(ServiceProvider provider, string principalId)
        {
            _provider = provider;
            PrincipalId = principalId;
        }

        public IServiceProvider Services => _provider;

        public string PrincipalId { get; }

        /// <summary>
        /// Builds the app's service collection as Program.cs does, with the deployed settings as its configuration
        /// (environment variables in Azure: <c>__</c> is the section separator), runs the ValidateOnStart validators
        /// the host runs before anything starts, and builds every service the app registers. Throws what the host would.
        /// </summary>
        public static DeployedApp Start(BicepDeployment deployment)
        {
            var principalId = AzurePlaceholders.PrincipalIdOf(deployment.Single("Microsoft.Web/sites")["id"]!.GetValue<string>());
            var settings = deployment.AppSettings().ToDictionary(
                s => s.Key.Replace("__", ":", StringComparison.Ordinal),
                s => (string?)KeyVaultReferences.Resolve(deployment, s.Key, s.Value, principalId));
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

            var appServices = new ServiceCollection();
            appServices.AddBackupFunctionsApp(configuration);
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddBackupFunctionsApp(configuration);
            services.AddBackupTelemetry(configuration);
            var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            try
            {
                provider.GetRequiredService<IStartupValidator>().Validate();
                // Every service the app registers is built, so the options the services derive (the Key Vault key
                // client, the transit key, the sealing key, the network policy, the table client) are accepted too.
                // Hosted services are left out: the telemetry pipeline's would start exporting.
                foreach (var type in appServices.Select(d => d.ServiceType).Distinct()
                    .Where(t => !t.IsGenericTypeDefinition && t != typeof(IHostedService)))
                    _ = provider.GetServices(type).ToList();
                return new DeployedApp(provider, principalId);
            }
            catch
            {
                provider.Dispose();
                throw;
            }
        }

        public void Dispose() => _provider.Dispose();
    }
}
