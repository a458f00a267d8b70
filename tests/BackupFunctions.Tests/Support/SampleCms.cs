using System.Security.Cryptography;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Support;
using Npgsql;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// A CMS install worth backing up: a PostgreSQL database with the features a restore tends to break (sequences, an
/// index, a view, a foreign key, non-ASCII text, bytea) and a site folder with nested folders, an empty file, a
/// 20 MB binary file and non-ASCII names.
/// </summary>
public static class SampleCms
{
    public static async Task<PostgresConnectionInfo> CreateDatabaseAsync(string name)
    {
        await using (var admin = new NpgsqlConnection(ConnectionString(TestEnvironment.Postgres())))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        var db = TestEnvironment.Postgres(name);
        await using var connection = new NpgsqlConnection(ConnectionString(db));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL, bio text);
            CREATE TABLE posts (
                id bigserial PRIMARY KEY,
                author_id int NOT NULL REFERENCES authors(id),
                title text NOT NULL,
                body text,
                published_at timestamptz,
                thumbnail bytea);
            CREATE INDEX posts_author_published ON posts (author_id, published_at);
            CREATE TABLE options (name text PRIMARY KEY, value jsonb);
            CREATE SEQUENCE invoice_numbers START 1000;
            CREATE VIEW published_posts AS SELECT p.id, p.title, a.name AS author FROM posts p JOIN authors a ON a.id = p.author_id WHERE p.published_at IS NOT NULL;

            INSERT INTO authors (name, bio)
              SELECT 'Autor ' || i, CASE WHEN i % 3 = 0 THEN 'Grüße aus Köln — 日本語のテキスト ✓' ELSE NULL END
              FROM generate_series(1, 200) i;
            INSERT INTO posts (author_id, title, body, published_at, thumbnail)
              SELECT 1 + (i % 200), 'Post № ' || i, repeat('Lorem ipsum dolor sit amet ', 1 + i % 20),
                     CASE WHEN i % 4 = 0 THEN NULL ELSE timestamptz '2024-01-01' + i * interval '1 hour' END,
                     decode(md5(i::text) || md5((i * 7)::text), 'hex')
              FROM generate_series(1, 5000) i;
            INSERT INTO options VALUES ('site_name', '"Mein Blog"'), ('theme', '{"name": "twentytwenty", "colors": ["#fff", "#000"]}');
            SELECT setval('invoice_numbers', 1234);
            """, connection);
        await command.ExecuteNonQueryAsync();
        return db;
    }

    public static async Task DropDatabaseAsync(string name)
    {
        await using var admin = new NpgsqlConnection(ConnectionString(TestEnvironment.Postgres()));
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    public static string ConnectionString(PostgresConnectionInfo db) => TestEnvironment.NpgsqlConnectionString(db);

    /// <summary>Creates the site folder and returns its root.</summary>
    public static string CreateSite(string root)
    {
        Directory.CreateDirectory(root);
        Write(root, "uploads/2024/01/photo.jpg", RandomNumberGenerator.GetBytes(300_000));
        Write(root, "uploads/2024/02/Grüße/日本語のファイル.txt", "こんにちは世界\n"u8.ToArray());
        Write(root, "uploads/empty.txt", []);
        Write(root, "uploads/big/video.bin", RandomBytes(20 * 1024 * 1024, seed: 42));
        Write(root, "themes/twentytwenty/style.css", "body { color: #333; }\n"u8.ToArray());
        Write(root, "themes/twentytwenty/templates/single.php", "<?php the_content(); ?>\n"u8.ToArray());
        Write(root, "plugins/seo/seo.php", "<?php /* Plugin Name: SEO */\n"u8.ToArray());
        Directory.CreateDirectory(Path.Combine(root, "plugins", "empty-plugin"));
        Write(root, "config/settings.php", "<?php define('DB_NAME', 'cms');\n"u8.ToArray());
        Write(root, "cache/ignored.tmp", "not a component: must not be backed up"u8.ToArray());
        return root;
    }

    private static void Write(string root, string relative, byte[] content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
