namespace BackupFunctions.Tests.Deployment;

/// <summary>The default deployment (only the required transit key given), snapshotted once for the class.</summary>
public sealed class DefaultDeploymentFixture : IAsyncLifetime
{
    internal BicepDeployment Deployment { get; private set; } = null!;

    public string TransitKey { get; } = DeployedSettingsTests.RandomKey();

    public string VaultName => Deployment.Single("Microsoft.KeyVault/vaults")["name"]!.GetValue<string>();

    public string KeyId => DeployedSettingsTests.KeyIdOf(Deployment);

    public string AppPrincipalId => AzurePlaceholders.PrincipalIdOf(Deployment.Single("Microsoft.Web/sites")["id"]!.GetValue<string>());

    public async Task InitializeAsync() => Deployment = await BicepDeployment.SnapshotAsync(new Dictionary<string, object> { ["transitKey"] = TransitKey });

    public Task DisposeAsync() => Task.CompletedTask;
}
