// The hostile family against the Python reference servers (reference-servers.ts).
import { defineReferenceServers } from './reference-servers.ts';

defineReferenceServers(['python-avro', 'python-thrift']);
