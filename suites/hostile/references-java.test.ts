// The hostile family against the Java reference servers (reference-servers.ts).
import { defineReferenceServers } from './reference-servers.ts';

defineReferenceServers(['java-avro', 'java-thrift']);
