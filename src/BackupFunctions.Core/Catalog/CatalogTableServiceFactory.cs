using Azure.Data.Tables;
using Azure.Identity;

namespace BackupFunctions.Core.Catalog;

/// <summary>Builds the Table Storage client the catalog runs on from <see cref="CatalogOptions"/>.</summary>
public static class CatalogTableServiceFactory
{
    /// <summary>
    /// A connection string when one is set (Azurite locally), otherwise <see cref="CatalogOptions.TableServiceUri"/>
    /// with <see cref="DefaultAzureCredential"/> (managed identity in Azure, developer sign-in locally).
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither setting is given, or the URI is not an absolute URI.</exception>
    public static TableServiceClient Create(CatalogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
            return new TableServiceClient(options.ConnectionString);
        if (string.IsNullOrWhiteSpace(options.TableServiceUri))
            throw new InvalidOperationException($"Set {CatalogOptions.SectionName}:ConnectionString or {CatalogOptions.SectionName}:TableServiceUri.");
        if (!Uri.TryCreate(options.TableServiceUri, UriKind.Absolute, out var uri))
            throw new InvalidOperationException($"{CatalogOptions.SectionName}:TableServiceUri '{options.TableServiceUri}' is not an absolute URI.");
        return new TableServiceClient(uri, new DefaultAzureCredential());
    }
}
